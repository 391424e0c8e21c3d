//! What `#[public]` and `#[guarded]` share: their arguments, reading the handler under them
//! (and its conflicts with `#[requires]` and each other), the token-guard parameters, and the
//! marker they leave in the binary for the route audit. Every problem is recorded in a
//! [`Ctxt`] and reported at once.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::ext::IdentExt as _;
use syn::parse::{ParseStream, Parser as _};
use syn::{FnArg, ItemFn, Type};

use crate::args::{RawArg, Slot, Value, parse_crate};
use crate::ctxt::Ctxt;
use crate::item::{Ours, item_head, ours};

/// The parameter `#[requires]` adds to a handler.
const REQUIRES_PARAMETER: &str = "_logto_guard_authorized";

/// The guards of `logto_guard` that refuse a request without a valid token.
pub(crate) const TOKEN_GUARDS: &[&str] = &["AccessToken", "Authorized", "Organization"];

/// The arguments of `#[public]` (`crate = ".."`) and `#[guarded]` (`by = YourGuard`,
/// `crate = ".."`).
pub(crate) struct MarkerArgs {
    /// `by = YourGuard`: the type of the app's own guard parameter.
    pub(crate) by: Option<Type>,
    /// How generated code names the runtime crate.
    pub(crate) krate: TokenStream,
}

/// Reads `#[public(<args>)]` or `#[guarded(<args>)]` and the handler under it; `None` after
/// recording an error in either, as the checks that follow would only bury it.
pub(crate) fn parse(
    cx: &Ctxt,
    marker: Ours,
    args: TokenStream,
    item: TokenStream,
) -> Option<(MarkerArgs, ItemFn)> {
    let args = parse_args(cx, marker, args);
    let handler = handler(cx, marker, item);
    Some((args?, handler?))
}

fn parse_args(cx: &Ctxt, marker: Ours, tokens: TokenStream) -> Option<MarkerArgs> {
    let raw = (|input: ParseStream<'_>| {
        crate::args::parse_raw_args(input, &["by"], "expected a named argument")
    })
    .parse2(tokens);
    let raw = match raw {
        Ok(raw) => raw,
        Err(error) => {
            cx.syn_error(error);
            return None;
        }
    };
    let mut by = Slot::new("by");
    let mut krate = Slot::new("crate");
    let mut unknown = false;
    for RawArg { name, value, .. } in raw {
        match (name.unraw().to_string().as_str(), value) {
            ("crate", Some(Value::Expr(value))) => {
                krate.set(cx, &name, || parse_crate(cx, value));
            }
            ("by", Some(value)) if marker == Ours::Guarded => {
                by.set(cx, &name, || parse_by(cx, value));
            }
            (other, _) => {
                let takes = match marker {
                    Ours::Guarded => {
                        "`#[guarded]` takes only `by = YourGuard`, the type of a parameter that \
                         checks the token, and `crate = \"..\"`"
                    }
                    _ => {
                        "`#[public]` takes only `crate = \"..\"`, for an app that renamed the \
                         logto-guard dependency"
                    }
                };
                cx.error_spanned_by(&name, format!("unknown argument `{other}`: {takes}"));
                unknown = true;
            }
        }
    }
    // No further check of the handler after a bad argument: it would only bury that error.
    if unknown || by.failed() || krate.failed() {
        return None;
    }
    Some(MarkerArgs {
        by: by.get(),
        krate: crate::route::crate_path(krate.get().as_ref()),
    })
}

/// The type after `by =`: a guard of the app's own.
fn parse_by(cx: &Ctxt, value: Value) -> Option<Type> {
    let ty = match value {
        Value::Type(ty) => ty,
        Value::Expr(expr) => {
            let message = match crate::args::string_literal(&expr) {
                Some(lit) => format!("`by` takes a type, not a string: `by = {}`", lit.value()),
                None => "`by` names the type of a guard parameter, such as `by = CurrentUser`"
                    .to_owned(),
            };
            cx.error_spanned_by(expr, message);
            return None;
        }
    };
    let message = match last_ident(&ty).as_deref() {
        None => "`by` names the type of a guard parameter, such as `by = CurrentUser`",
        Some("Option" | "Result") => {
            "`by` names a guard that refuses requests without a valid token, but `Option<..>` \
             and `Result<..>` admit them"
        }
        Some(name) if TOKEN_GUARDS.contains(&name) => {
            "`by` is for a guard of your own: `#[guarded]` checks logto-guard's `AccessToken`, \
             `Authorized<R>` and `Organization` by itself, by type"
        }
        Some(_) => return Some(ty),
    };
    cx.error_spanned_by(&ty, message);
    None
}

/// The item under a marker: a fn with a route attribute, without `#[requires]` or the other
/// marker; `None` after recording why not.
fn handler(cx: &Ctxt, marker: Ours, item: TokenStream) -> Option<ItemFn> {
    let handler = match syn::parse2::<syn::Item>(item) {
        Ok(syn::Item::Fn(handler)) => handler,
        Ok(other) => {
            cx.error_spanned_by(
                item_head(&other),
                format!(
                    "`{}` goes on a Rocket route handler: a `fn` with a route attribute \
                     (`#[get]`, `#[post]`, ...)",
                    marker.written()
                ),
            );
            return None;
        }
        Err(error) => {
            cx.syn_error(error);
            return None;
        }
    };
    let conflict = |what: &str| {
        format!(
            "a handler is either `#[requires(..)]`, `#[guarded]` or `#[public]`; this one is \
             also {what}: keep one",
        )
    };
    let mut valid = true;
    for attr in &handler.attrs {
        let message = match ours(attr) {
            None => continue,
            Some(Ours::Requires) => conflict("`#[requires(..)]`"),
            Some(other) if other == marker => {
                format!("`{}` is given twice: remove one", marker.written())
            }
            Some(other) => conflict(&format!("`{}`", other.written())),
        };
        cx.error_spanned_by(attr, message);
        valid = false;
    }
    if has_requires_parameter(&handler) {
        cx.error_at(
            Span::call_site(),
            conflict("`#[requires(..)]` (written above this attribute)"),
        );
        valid = false;
    }
    if !handler.attrs.iter().any(crate::route::is_route) {
        valid = false;
        cx.error_at(
            Span::call_site(),
            format!(
                "`{}` must be placed above the route attribute (`#[get]`, `#[post]`, ...): put \
                 it first (and give the fn a route attribute if it has none), so that it can \
                 read which route the handler serves",
                marker.written()
            ),
        );
    }
    valid.then_some(handler)
}

/// The handler, with the hidden parameter that proves it mounted, its marker for the route
/// audit, and `checks`.
pub(crate) fn expand(
    marker: Ours,
    mut handler: ItemFn,
    krate: &TokenStream,
    checks: TokenStream,
) -> TokenStream {
    let kind = match marker {
        Ours::Guarded => quote!(#krate::__private::MarkerKind::Guarded),
        _ => quote!(#krate::__private::MarkerKind::Public),
    };
    let site = crate::route::handler_site(&handler, krate);
    let proof = crate::route::prove_mounted(&mut handler, &site, krate);
    quote! {
        #krate::__private::inventory::submit! {
            #krate::__private::RouteMarker {
                kind: #kind,
                handler: #site,
            }
        }

        #checks

        #proof

        #handler
    }
}

/// The first parameter whose type is a token guard (`AccessToken`, `Authorized<..>`,
/// `Organization`, or one of `extra`), by its last path segment; a guard inside `Option` or
/// `Result` does not count, since those admit requests without a valid token.
pub(crate) fn guard_parameter<'a>(handler: &'a ItemFn, extra: &[String]) -> Option<&'a Type> {
    typed_parameters(handler).find(|ty| {
        last_ident(ty)
            .is_some_and(|name| TOKEN_GUARDS.contains(&name.as_str()) || extra.contains(&name))
    })
}

/// The parameters spelled like one of logto-guard's token guards (and not named by `by`),
/// whose types the generated code then proves to be [`TOKEN_GUARDS`] with the sealed
/// `TokenGuard` trait: a look-alike of the app's own does not pass.
pub(crate) fn token_guard_parameters<'a>(
    handler: &'a ItemFn,
    extra: &'a [String],
) -> impl Iterator<Item = &'a Type> {
    typed_parameters(handler).filter(|ty| {
        last_ident(ty)
            .is_some_and(|name| TOKEN_GUARDS.contains(&name.as_str()) && !extra.contains(&name))
    })
}

/// The types of the handler's parameters, without `&` and parentheses.
fn typed_parameters(handler: &ItemFn) -> impl Iterator<Item = &Type> {
    handler.sig.inputs.iter().filter_map(|input| match input {
        FnArg::Typed(typed) => Some(strip(&typed.ty)),
        FnArg::Receiver(_) => None,
    })
}

/// `T` of `&T`, `(T)`.
fn strip(ty: &Type) -> &Type {
    match ty {
        Type::Reference(reference) => strip(&reference.elem),
        Type::Paren(paren) => strip(&paren.elem),
        Type::Group(group) => strip(&group.elem),
        other => other,
    }
}

/// The last segment of a path type: `Authorized` for `logto_guard::Authorized<R>`.
pub(crate) fn last_ident(ty: &Type) -> Option<String> {
    match strip(ty) {
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .map(|segment| segment.ident.unraw().to_string()),
        _ => None,
    }
}

fn has_requires_parameter(handler: &ItemFn) -> bool {
    handler.sig.inputs.iter().any(|input| match input {
        FnArg::Typed(typed) => matches!(
            &*typed.pat,
            syn::Pat::Ident(ident) if ident.ident == REQUIRES_PARAMETER
        ),
        FnArg::Receiver(_) => false,
    })
}
