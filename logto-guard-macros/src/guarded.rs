//! `#[guarded]`: marks a route handler whose own parameters check the token, for the route
//! audit of `logto_guard::LogtoGuard`; checked at compile time against the handler's
//! parameters.

use proc_macro2::TokenStream;
use syn::spanned::Spanned as _;

use crate::public::{self, Marker, MarkerArgs};

/// `#[guarded] <item>`, `#[guarded(by = YourGuard)] <item>`, with an optional `crate = ".."`.
pub(crate) fn guarded(args: TokenStream, item: TokenStream) -> TokenStream {
    let MarkerArgs { by, krate } = match public::parse_args(Marker::Guarded, args) {
        Ok(args) => args,
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
        let krate = crate::route::crate_path_at(&krate, ty.span());
        quote::quote_spanned! {ty.span()=>
            const _: () = {
                fn checks_the_token<T: #krate::TokenGuard>() {}
                let _ = checks_the_token::<#ty>;
            };
        }
    });
    let checks = quote::quote!(#(#checks)*);
    public::expand(Marker::Guarded, handler, &krate, checks)
}
