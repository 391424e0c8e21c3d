//! Generates the code for a checked [`Requires`].

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::parse_quote;
use syn::spanned::Spanned as _;

use crate::parse::{Client, Mode, Organization, Requires, Resource};

/// The requirement type, its `Requirement` impl, the manifest entry, and the handler with the
/// `Authorized` guard as its first parameter.
pub(crate) fn expand(requires: Requires) -> TokenStream {
    let Requires {
        resource,
        scopes,
        mode,
        description,
        organization,
        client,
        mut handler,
    } = requires;
    let name = handler.sig.ident.unraw();
    let site = crate::route::handler_site(&handler);
    // Rocket's route attribute declares a struct with the fn's exact name; this cannot clash.
    let requirement = format_ident!("__logto_guard_requires_{}", name);
    let vis = &handler.vis;

    let (audience, resource_check) = match resource {
        // An organization token: `aud` is `urn:logto:organization:<id>`, not a resource.
        None => (quote!(::logto_guard::Audience::Organization), None),
        Some(Resource::Literal(lit)) => (quote!(::logto_guard::Audience::Resource(#lit)), None),
        Some(Resource::Const(path)) => {
            // At the path's span, so a bad value is reported there.
            let check = quote_spanned! {path.span()=>
                const _: () = ::logto_guard::__private::assert_resource_indicator(#path);
            };
            (
                quote!(::logto_guard::Audience::Resource(#path)),
                Some(check),
            )
        }
    };
    let mode = match mode {
        Mode::All => quote!(::logto_guard::ScopeMode::All),
        Mode::Any => quote!(::logto_guard::ScopeMode::Any),
    };
    let organization = match organization {
        Organization::None => quote!(::logto_guard::OrganizationRule::None),
        Organization::Any => quote!(::logto_guard::OrganizationRule::Any),
        Organization::Optional(_) => quote!(::logto_guard::OrganizationRule::Optional),
        Organization::Segment(lit, name) => {
            let name = syn::LitStr::new(&name, lit.span());
            quote!(::logto_guard::OrganizationRule::Segment(#name))
        }
    };
    let client = match client {
        Client::Any => quote!(::logto_guard::ClientRule::Any),
        Client::Machine => quote!(::logto_guard::ClientRule::Machine),
        Client::User => quote!(::logto_guard::ClientRule::User),
    };
    let description = match description {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    };
    handler.sig.inputs.insert(
        0,
        parse_quote!(_logto_guard_authorized: ::logto_guard::Authorized<#requirement>),
    );

    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #requirement;

        impl ::logto_guard::Requirement for #requirement {
            const AUDIENCE: ::logto_guard::Audience<'static> = #audience;
            const SCOPES: &'static [&'static str] = &[#(#scopes),*];
            const MODE: ::logto_guard::ScopeMode = #mode;
            const DESCRIPTION: ::core::option::Option<&'static str> = #description;
            const ORGANIZATION: ::logto_guard::OrganizationRule = #organization;
            const CLIENT: ::logto_guard::ClientRule = #client;
        }

        #resource_check

        ::logto_guard::__private::inventory::submit! {
            ::logto_guard::Declaration::__new::<#requirement>(#site)
        }

        #handler
    }
}
