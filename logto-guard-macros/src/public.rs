//! `#[public]`: marks a route handler as reachable without a token on purpose, for the route
//! audit of `logto_guard::LogtoGuard`.

use proc_macro2::TokenStream;
use quote::ToTokens as _;

use crate::ctxt::Ctxt;
use crate::item::{Ours, with_errors};
use crate::marker::{self, MarkerArgs};

/// `#[public] <item>`, with an optional `crate = ".."`.
pub(crate) fn public(args: TokenStream, item: TokenStream) -> TokenStream {
    let cx = Ctxt::new();
    let parsed = marker::parse(&cx, Ours::Public, args, item.clone());
    if let Some((_, handler)) = &parsed
        && let Some(ty) = marker::guard_parameter(handler, &[])
    {
        let name: String = ty
            .to_token_stream()
            .to_string()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        cx.error_spanned_by(
            ty,
            format!(
                "a handler that takes `{name}` refuses requests without a valid token, so it is \
                 not public: mark it `#[guarded]` instead (or, for optional authentication, wrap \
                 it in `Option<..>`)"
            ),
        );
    }
    match (cx.check(), parsed) {
        (Ok(()), Some((MarkerArgs { krate, .. }, handler))) => {
            marker::expand(Ours::Public, handler, &krate, TokenStream::new())
        }
        (Err(errors), _) => with_errors(item, errors),
        (Ok(()), None) => unreachable!("`marker::parse` records an error when it returns `None`"),
    }
}
