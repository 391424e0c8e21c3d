//! `#[guarded]`: marks a route handler whose own parameters check the token, for the route
//! audit of `logto_guard::LogtoGuard`; checked at compile time against the handler's
//! parameters.

use proc_macro2::TokenStream;
use syn::ext::IdentExt as _;
use syn::parse::{ParseStream, Parser as _};
use syn::spanned::Spanned as _;
use syn::{Ident, Token, Type};

use crate::public::{self, Marker};

/// `#[guarded] <item>` or `#[guarded(by = YourGuard)] <item>`.
pub(crate) fn guarded(args: TokenStream, item: TokenStream) -> TokenStream {
    let by = match parse_args.parse2(args) {
        Ok(by) => by,
        Err(error) => return public::with_error(item, error),
    };
    let handler = match public::handler(Marker::Guarded, item.clone()) {
        Ok(handler) => handler,
        Err(error) => return public::with_error(public::without_markers(item), error),
    };
    let extra: Vec<String> = by.iter().filter_map(public::last_ident).collect();
    if public::guard_parameter(&handler, &extra).is_none() {
        let mut guards = vec![
            "`AccessToken`".to_owned(),
            "`Authorized<R>`".to_owned(),
            "`Organization`".to_owned(),
        ];
        guards.extend(extra.iter().map(|g| format!("`{g}`")));
        let (fn_token, name) = (&handler.sig.fn_token, &handler.sig.ident);
        return public::with_error(
            item,
            syn::Error::new_spanned(
                quote::quote!(#fn_token #name),
                format!(
                    "`#[guarded]` found no parameter that checks the token: take one of {} \
                     (not inside `Option` or `Result`, which admit requests without a valid \
                     token), name a guard of your own with `#[guarded(by = YourGuard)]`, or \
                     use `#[requires(..)]`",
                    guards.join(", ")
                ),
            ),
        );
    }
    let checks = public::token_guard_parameters(&handler, &extra).map(|ty| {
        quote::quote_spanned! {ty.span()=>
            const _: () = {
                fn checks_the_token<T: ::logto_guard::TokenGuard>() {}
                let _ = checks_the_token::<#ty>;
            };
        }
    });
    public::expand(Marker::Guarded, &handler, quote::quote!(#(#checks)*))
}

/// Nothing, or `by = Type`.
fn parse_args(input: ParseStream<'_>) -> syn::Result<Option<Type>> {
    if input.is_empty() {
        return Ok(None);
    }
    let name = input.call(Ident::parse_any)?;
    if name != "by" {
        return Err(syn::Error::new_spanned(
            &name,
            format!(
                "unknown argument `{name}`: `#[guarded]` takes only `by = YourGuard`, the type \
                 of a parameter that checks the token"
            ),
        ));
    }
    input.parse::<Token![=]>()?;
    if input.peek(syn::LitStr) {
        let lit: syn::LitStr = input.parse()?;
        return Err(syn::Error::new_spanned(
            &lit,
            format!("`by` takes a type, not a string: `by = {}`", lit.value()),
        ));
    }
    let ty: Type = input.parse()?;
    if public::last_ident(&ty).is_none() {
        return Err(syn::Error::new_spanned(
            &ty,
            "`by` names the type of a guard parameter, such as `by = CurrentUser`",
        ));
    }
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    }
    if !input.is_empty() {
        return Err(input.error("`#[guarded]` takes only `by = YourGuard`"));
    }
    Ok(Some(ty))
}
