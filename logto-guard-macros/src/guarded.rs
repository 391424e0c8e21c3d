//! `#[guarded]`: marks a route handler whose own parameters check the token, for the route
//! audit of `logto_guard::LogtoGuard`; checked at compile time against the handler's
//! parameters.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned as _;

use crate::ctxt::Ctxt;
use crate::item::{Ours, with_errors};
use crate::marker::{self, MarkerArgs};

/// `#[guarded] <item>`, `#[guarded(by = YourGuard)] <item>`, with an optional `crate = ".."`.
pub(crate) fn guarded(args: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let parsed = marker::parse(&cx, Ours::Guarded, args, item.clone());
    let extra: Vec<String> = parsed
        .iter()
        .flat_map(|(args, _)| args.by.as_ref())
        .filter_map(marker::last_ident)
        .collect();
    if let Some((_, handler)) = &parsed
        && marker::guard_parameter(handler, &extra).is_none()
    {
        let mut guards = vec![
            "`AccessToken`".to_owned(),
            "`Authorized<R>`".to_owned(),
            "`Organization`".to_owned(),
        ];
        guards.extend(extra.iter().map(|g| format!("`{g}`")));
        let (fn_token, name) = (&handler.sig.fn_token, &handler.sig.ident);
        cx.error_spanned_by(
            quote!(#fn_token #name),
            format!(
                "`#[guarded]` found no parameter that checks the token: take one of {} (not \
                 inside `Option` or `Result`, which admit requests without a valid token), name \
                 a guard of your own with `#[guarded(by = YourGuard)]`, or use `#[requires(..)]`",
                guards.join(", ")
            ),
        );
    }
    let (MarkerArgs { krate, .. }, handler) = match (cx.check(), parsed) {
        (Ok(()), Some(parsed)) => parsed,
        (Err(errors), _) => return with_errors(item, errors),
        (Ok(()), None) => unreachable!("`marker::parse` records an error when it returns `None`"),
    };
    let checks = marker::token_guard_parameters(&handler, &extra).map(|ty| {
        let krate = crate::route::crate_path_at(&krate, ty.span());
        quote_spanned! {ty.span()=>
            const _: () = {
                fn checks_the_token<T: #krate::TokenGuard>() {}
                let _ = checks_the_token::<#ty>;
            };
        }
    });
    let checks = quote!(#(#checks)*);
    marker::expand(Ours::Guarded, handler, &krate, checks)
}
