//! Generates the code for a checked [`Requires`].

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::parse_quote;
use syn::spanned::Spanned as _;

use crate::parse::{Actor, Client, Mode, Organization, Requires, Resource, Rule};

/// The requirement type, its `Requirement` impl, the manifest entry, and the handler with the
/// `Authorized` guard as its first parameter and the proof that it is mounted as its last.
pub(crate) fn expand(requires: Requires) -> TokenStream {
    let Requires {
        rule:
            Rule {
                resource,
                scopes,
                mode,
                description,
                organization,
                client,
                actor,
                client_group,
                check,
            },
        krate,
        mut handler,
    } = requires;
    let name = handler.sig.ident.unraw();
    let site = crate::route::handler_site(&handler, &krate);
    // Rocket's route attribute declares a struct with the fn's exact name; this cannot clash.
    let requirement = format_ident!("__logto_guard_requires_{}", name);
    let vis = handler.vis.clone();

    let (audience, resource_check) = match resource {
        // An organization token: `aud` is `urn:logto:organization:<id>`, not a resource.
        None => (quote!(#krate::Audience::Organization), None),
        Some(Resource::Literal(lit)) => (quote!(#krate::Audience::Resource(#lit)), None),
        Some(Resource::Const(path)) => {
            // At the path's span, so a bad value is reported there.
            let at_path = crate::route::crate_path_at(&krate, path.span());
            let check = quote_spanned! {path.span()=>
                const _: () = #at_path::__private::assert_resource_indicator(#path);
            };
            (quote!(#krate::Audience::Resource(#path)), Some(check))
        }
    };
    let mode = match mode {
        Mode::All => quote!(#krate::ScopeMode::All),
        Mode::Any => quote!(#krate::ScopeMode::Any),
    };
    let organization = match organization {
        Organization::None => quote!(#krate::OrganizationRule::None),
        Organization::Any => quote!(#krate::OrganizationRule::Any),
        Organization::Optional(_) => quote!(#krate::OrganizationRule::Optional),
        Organization::Segment(lit, name) => {
            let name = syn::LitStr::new(&name, lit.span());
            quote!(#krate::OrganizationRule::Segment(#name))
        }
    };
    let client = match client {
        Client::Any => quote!(#krate::ClientRule::Any),
        Client::Machine => quote!(#krate::ClientRule::Machine),
        Client::User => quote!(#krate::ClientRule::User),
    };
    let actor = match actor {
        Actor::Any => None,
        Actor::Forbidden => {
            Some(quote!(const ACTOR: #krate::ActorRule = #krate::ActorRule::Forbidden;))
        }
        Actor::Required => {
            Some(quote!(const ACTOR: #krate::ActorRule = #krate::ActorRule::Required;))
        }
    };
    let client_group = client_group.map(|group| {
        quote!(const CLIENT_GROUP: ::core::option::Option<&'static str> =
            ::core::option::Option::Some(#group);)
    });
    let custom_check = check.map(|path| {
        // At the path's span, so that a function of another signature is reported there.
        let at_path = crate::route::crate_path_at(&krate, path.span());
        let name = path
            .segments
            .iter()
            .map(|segment| segment.ident.unraw().to_string())
            .collect::<Vec<_>>()
            .join("::");
        quote_spanned! {path.span()=>
            const CUSTOM_CHECK: ::core::option::Option<#at_path::CustomCheck> =
                ::core::option::Option::Some(#at_path::CustomCheck::new(#name, #path));
        }
    });
    let description = match description {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    };
    handler.sig.inputs.insert(
        0,
        parse_quote!(_logto_guard_authorized: #krate::Authorized<#requirement>),
    );
    let proof = crate::route::prove_mounted(&mut handler, &site, &krate);

    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #requirement;

        impl #krate::Requirement for #requirement {
            const AUDIENCE: #krate::Audience<'static> = #audience;
            const SCOPES: &'static [&'static str] = &[#(#scopes),*];
            const MODE: #krate::ScopeMode = #mode;
            const DESCRIPTION: ::core::option::Option<&'static str> = #description;
            const ORGANIZATION: #krate::OrganizationRule = #organization;
            const CLIENT: #krate::ClientRule = #client;
            #actor
            #client_group
            #custom_check
        }

        #resource_check

        #krate::__private::inventory::submit! {
            #krate::Declaration::__new::<#requirement>(#site)
        }

        #proof

        #handler
    }
}
