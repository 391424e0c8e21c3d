//! `#[public]`: marks a route handler as reachable without a token on purpose, for the route
//! audit of `logto_guard::LogtoGuard`; and what it shares with `#[guarded]`: reading the
//! handler, the conflicts with `#[requires]`, and the marker it leaves in the binary.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens as _, quote};
use syn::ext::IdentExt as _;
use syn::{FnArg, ItemFn, Type};

/// The parameter `#[requires]` adds to a handler.
const REQUIRES_PARAMETER: &str = "_logto_guard_authorized";

/// The guards of `logto_guard` that refuse a request without a valid token.
pub(crate) const TOKEN_GUARDS: &[&str] = &["AccessToken", "Authorized", "Organization"];

/// Which marker a handler gets.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    Public,
    Guarded,
}

impl Marker {
    fn attribute(self) -> &'static str {
        match self {
            Self::Public => "#[public]",
            Self::Guarded => "#[guarded]",
        }
    }

    fn kind(self) -> TokenStream {
        match self {
            Self::Public => quote!(::logto_guard::__private::MarkerKind::Public),
            Self::Guarded => quote!(::logto_guard::__private::MarkerKind::Guarded),
        }
    }
}

/// `#[public] <item>`.
pub(crate) fn public(args: TokenStream, item: TokenStream) -> TokenStream {
    if !args.is_empty() {
        return with_error(
            item,
            syn::Error::new_spanned(args, "`#[public]` takes no arguments"),
        );
    }
    let handler = match handler(Marker::Public, item.clone()) {
        Ok(handler) => handler,
        Err(error) => return with_error(without_markers(item), error),
    };
    if let Some(ty) = token_guard(&handler) {
        let name: String = ty
            .to_token_stream()
            .to_string()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        return with_error(
            item,
            syn::Error::new_spanned(
                ty,
                format!(
                    "a handler that takes `{name}` refuses requests without a valid token, so it \
                     is not public: mark it `#[guarded]` instead (or, for optional \
                     authentication, wrap it in `Option<..>`)"
                ),
            ),
        );
    }
    expand(Marker::Public, &handler, TokenStream::new())
}

/// Parses the item under a marker: a fn, without `#[requires]` or the other marker.
pub(crate) fn handler(marker: Marker, item: TokenStream) -> syn::Result<ItemFn> {
    let not_a_fn = || {
        format!(
            "`{}` goes on a Rocket route handler: a `fn` with a route attribute (`#[get]`, \
             `#[post]`, ...)",
            marker.attribute()
        )
    };
    let handler = match syn::parse2::<syn::Item>(item) {
        Ok(syn::Item::Fn(handler)) => handler,
        Ok(other) => return Err(syn::Error::new_spanned(item_head(&other), not_a_fn())),
        Err(error) => return Err(error),
    };
    let conflict = |what: &str| {
        format!(
            "a handler is either `#[requires(..)]`, `#[guarded]` or `#[public]`; this one is \
             also {what}: keep one",
        )
    };
    for attr in &handler.attrs {
        let Some(name) = attr.path().segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        let other = match name.as_str() {
            "requires" => "`#[requires(..)]`",
            "public" if marker == Marker::Guarded => "`#[public]`",
            "guarded" if marker == Marker::Public => "`#[guarded]`",
            "public" | "guarded" => {
                return Err(syn::Error::new_spanned(
                    attr,
                    format!("`{}` is given twice: remove one", marker.attribute()),
                ));
            }
            _ => continue,
        };
        return Err(syn::Error::new_spanned(attr, conflict(other)));
    }
    if has_requires_parameter(&handler) {
        return Err(syn::Error::new(
            Span::call_site(),
            conflict("`#[requires(..)]` (written above this attribute)"),
        ));
    }
    if !handler.attrs.iter().any(crate::route::is_route) {
        return Err(syn::Error::new(
            Span::call_site(),
            format!(
                "`{}` must be placed above the route attribute (`#[get]`, `#[post]`, ...): put \
                 it first (and give the fn a route attribute if it has none), so that it can \
                 read which route the handler serves",
                marker.attribute()
            ),
        ));
    }
    Ok(handler)
}

/// The handler, unchanged, and its marker for the route audit.
pub(crate) fn expand(marker: Marker, handler: &ItemFn, checks: TokenStream) -> TokenStream {
    let kind = marker.kind();
    let site = crate::route::handler_site(handler);
    quote! {
        ::logto_guard::__private::inventory::submit! {
            ::logto_guard::__private::RouteMarker {
                kind: #kind,
                handler: #site,
            }
        }

        #checks

        #handler
    }
}

/// The first parameter whose type is a token guard (`AccessToken`, `Authorized<..>`,
/// `Organization`, or one of `extra`), by its last path segment; a guard inside `Option` or
/// `Result` does not count, since those admit requests without a valid token.
pub(crate) fn guard_parameter<'a>(handler: &'a ItemFn, extra: &[String]) -> Option<&'a Type> {
    handler.sig.inputs.iter().find_map(|input| {
        let FnArg::Typed(typed) = input else {
            return None;
        };
        let ty = strip(&typed.ty);
        let name = last_ident(ty)?;
        (TOKEN_GUARDS.contains(&name.as_str()) || extra.contains(&name)).then_some(ty)
    })
}

/// The parameters spelled like one of logto-guard's token guards (and not named by `by`),
/// whose types the generated code then proves to be [`TOKEN_GUARDS`] with the sealed
/// `TokenGuard` trait: a look-alike of the app's own does not pass.
pub(crate) fn token_guard_parameters<'a>(
    handler: &'a ItemFn,
    extra: &'a [String],
) -> impl Iterator<Item = &'a Type> {
    handler.sig.inputs.iter().filter_map(|input| {
        let FnArg::Typed(typed) = input else {
            return None;
        };
        let ty = strip(&typed.ty);
        let name = last_ident(ty)?;
        (TOKEN_GUARDS.contains(&name.as_str()) && !extra.contains(&name)).then_some(ty)
    })
}

fn token_guard(handler: &ItemFn) -> Option<&Type> {
    guard_parameter(handler, &[])
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

/// The item with its `#[public]` and `#[guarded]` removed, for a conflict: so that the other
/// marker does not report the same handler again.
pub(crate) fn without_markers(item: TokenStream) -> TokenStream {
    match syn::parse2::<ItemFn>(item.clone()) {
        Ok(mut handler) => {
            handler.attrs.retain(|attr| {
                !attr
                    .path()
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "public" || s.ident == "guarded")
            });
            handler.into_token_stream()
        }
        Err(_) => item,
    }
}

/// What the user wrote, plus the error: the route attribute still expands, so no follow-up
/// errors bury the real one.
pub(crate) fn with_error(item: TokenStream, error: syn::Error) -> TokenStream {
    let mut output = item;
    output.extend(error.into_compile_error());
    output
}

/// The keyword and name of an item, to point an error at.
fn item_head(item: &syn::Item) -> TokenStream {
    match item {
        syn::Item::Struct(item) => {
            let (token, ident) = (&item.struct_token, &item.ident);
            quote!(#token #ident)
        }
        syn::Item::Enum(item) => {
            let (token, ident) = (&item.enum_token, &item.ident);
            quote!(#token #ident)
        }
        syn::Item::Const(item) => {
            let (token, ident) = (&item.const_token, &item.ident);
            quote!(#token #ident)
        }
        syn::Item::Static(item) => {
            let (token, ident) = (&item.static_token, &item.ident);
            quote!(#token #ident)
        }
        syn::Item::Mod(item) => {
            let (token, ident) = (&item.mod_token, &item.ident);
            quote!(#token #ident)
        }
        syn::Item::Impl(item) => {
            let (token, ty) = (&item.impl_token, &item.self_ty);
            quote!(#token #ty)
        }
        other => other.to_token_stream(),
    }
}
