//! `#[public]`: marks a route handler as reachable without a token on purpose, for the route
//! audit of `logto_guard::LogtoGuard`; and what it shares with `#[guarded]`: reading the
//! handler, the conflicts with `#[requires]`, and the marker it leaves in the binary.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens as _, quote};
use syn::ext::IdentExt as _;
use syn::parse::{ParseStream, Parser as _};
use syn::{FnArg, Ident, ItemFn, LitStr, Path, Token, Type};

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

    fn kind(self, krate: &TokenStream) -> TokenStream {
        match self {
            Self::Public => quote!(#krate::__private::MarkerKind::Public),
            Self::Guarded => quote!(#krate::__private::MarkerKind::Guarded),
        }
    }
}

/// `#[public] <item>`.
/// The arguments of `#[public]` (`crate = ".."`) and `#[guarded]` (`by = YourGuard`,
/// `crate = ".."`).
pub(crate) struct MarkerArgs {
    /// `by = YourGuard`: the type of the app's own guard parameter.
    pub(crate) by: Option<Type>,
    /// How generated code names the runtime crate.
    pub(crate) krate: TokenStream,
}

pub(crate) fn parse_args(marker: Marker, args: TokenStream) -> syn::Result<MarkerArgs> {
    let parser = |input: ParseStream<'_>| {
        let mut by = None;
        let mut krate = None;
        while !input.is_empty() {
            let name = input.call(Ident::parse_any)?;
            match name.to_string().as_str() {
                "crate" => {
                    input.parse::<Token![=]>()?;
                    let lit: LitStr = input.parse()?;
                    krate = Some(lit.parse::<Path>().map_err(|_| {
                        syn::Error::new_spanned(
                            &lit,
                            "`crate` must be a path, like `crate = \"my_logto_guard\"`",
                        )
                    })?);
                }
                "by" if marker == Marker::Guarded => {
                    input.parse::<Token![=]>()?;
                    by = Some(parse_by(input)?);
                }
                other => {
                    let takes = match marker {
                        Marker::Public => {
                            "`#[public]` takes only `crate = \"..\"`, for an app that renamed \
                             the logto-guard dependency"
                        }
                        Marker::Guarded => {
                            "`#[guarded]` takes only `by = YourGuard`, the type of a parameter \
                             that checks the token, and `crate = \"..\"`"
                        }
                    };
                    return Err(syn::Error::new_spanned(
                        &name,
                        format!("unknown argument `{other}`: {takes}"),
                    ));
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(MarkerArgs {
            by,
            krate: crate::route::crate_path(krate.as_ref()),
        })
    };
    parser.parse2(args)
}

/// The type after `by =`.
fn parse_by(input: ParseStream<'_>) -> syn::Result<Type> {
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        return Err(syn::Error::new_spanned(
            &lit,
            format!("`by` takes a type, not a string: `by = {}`", lit.value()),
        ));
    }
    let ty: Type = input.parse()?;
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
        Some(_) => return Ok(ty),
    };
    Err(syn::Error::new_spanned(&ty, message))
}

pub(crate) fn public(args: TokenStream, item: TokenStream) -> TokenStream {
    let MarkerArgs { krate, .. } = match parse_args(Marker::Public, args) {
        Ok(args) => args,
        Err(error) => return with_error(item, error),
    };
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
    expand(Marker::Public, handler, &krate, TokenStream::new())
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

/// The handler, with the hidden parameter that proves it mounted, and its marker for the
/// route audit.
pub(crate) fn expand(
    marker: Marker,
    mut handler: ItemFn,
    krate: &TokenStream,
    checks: TokenStream,
) -> TokenStream {
    let kind = marker.kind(krate);
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
