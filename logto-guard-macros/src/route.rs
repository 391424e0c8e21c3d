//! Reading the route attribute under `#[requires]`, `#[guarded]` and `#[public]`: its method
//! and URI literal, which identify the handler's Rocket route at run time, and the dynamic
//! segments (`<name>`, `<name..>`) and query parameters it declares, so that
//! `organization = "<org_id>"` can be checked against the route at compile time.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ext::IdentExt as _;
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ItemFn, Lit, LitStr, Path, Token};

/// Rocket's route attributes.
pub(crate) const ROUTE_ATTRIBUTES: &[&str] = &[
    "get", "put", "post", "delete", "head", "patch", "options", "route",
];

/// The path generated code names the runtime crate by: `::logto_guard`, or the `crate = ".."`
/// argument for an app that renamed the dependency (as `#[serde(crate = "..")]`).
pub(crate) fn crate_path(krate: Option<&Path>) -> TokenStream {
    match krate {
        Some(path) => quote!(#path),
        None => quote!(::logto_guard),
    }
}

/// `krate` with every token at `span`, for generated code whose errors must point at the
/// user's tokens (a path has no groups, so its tokens are respanned one by one).
pub(crate) fn crate_path_at(krate: &TokenStream, span: proc_macro2::Span) -> TokenStream {
    krate
        .clone()
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect()
}

/// `#[get]`, `#[rocket::post]`, ...
pub(crate) fn is_route(attr: &Attribute) -> bool {
    path_is(attr.path(), ROUTE_ATTRIBUTES, "rocket")
}

/// `name` or `krate::name`, with `name` one of `names`.
pub(crate) fn path_is(path: &Path, names: &[&str], krate: &str) -> bool {
    let segments: Vec<_> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    match segments.as_slice() {
        [name] => names.contains(&name.as_str()),
        [first, name] => first == krate && names.contains(&name.as_str()),
        _ => false,
    }
}

/// `<krate>::HandlerSite::__new(..)` for `handler`: its fn name, its route's method and
/// URI, and its module. A route attribute whose method or URI cannot be read gives `""`, which
/// matches no route, so the route audit reports the route rather than trusting it.
pub(crate) fn handler_site(handler: &ItemFn, krate: &TokenStream) -> TokenStream {
    let name = handler.sig.ident.unraw().to_string();
    let attr = handler.attrs.iter().find(|attr| is_route(attr));
    let method = attr.and_then(method).unwrap_or_default();
    let uri = attr
        .and_then(uri)
        .map(|lit| lit.value())
        .unwrap_or_default();
    quote! {
        #krate::HandlerSite::__new(
            #name,
            #method,
            #uri,
            ::core::module_path!(),
        )
    }
}

/// Makes `handler` prove at ignite that it is mounted: adds a hidden
/// `Mounted<__logto_guard_handler_NAME>` parameter, whose Rocket sentinel runs only when the
/// handler's route is mounted and then records `site`. Returns the unit type, which names
/// `site` for that sentinel. A Rocket route carries no module, so nothing else tells a marked
/// handler from an unmarked one of the same fn name, method and path.
pub(crate) fn prove_mounted(
    handler: &mut ItemFn,
    site: &TokenStream,
    krate: &TokenStream,
) -> TokenStream {
    // Rocket's route attribute declares a struct with the fn's exact name; this cannot clash.
    let proof = quote::format_ident!("__logto_guard_handler_{}", handler.sig.ident.unraw());
    let vis = &handler.vis;
    handler.sig.inputs.push(syn::parse_quote!(
        _logto_guard_mounted: #krate::__private::Mounted<#proof>
    ));
    quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        #vis struct #proof;

        impl #krate::__private::MarkedHandler for #proof {
            const HANDLER: #krate::HandlerSite = #site;
        }
    }
}

/// The method of a route attribute, as Rocket names it: `GET` for `#[get]`, and the first
/// argument of `#[route(GET, ..)]`.
fn method(attr: &Attribute) -> Option<String> {
    let name = attr.path().segments.last()?.ident.to_string();
    if name != "route" {
        return Some(name.to_ascii_uppercase());
    }
    let args = attr
        .parse_args_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        .ok()?;
    match args.into_iter().next()? {
        Expr::Path(path) => Some(path.path.get_ident()?.to_string().to_ascii_uppercase()),
        _ => None,
    }
}

/// A dynamic part of a route URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Param {
    /// The name, without `<`, `..` and `>`.
    pub(crate) name: String,
    pub(crate) kind: ParamKind,
}

/// Where a [`Param`] sits in the route URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamKind {
    /// `/<name>`: one path segment.
    Segment,
    /// `/<name..>`: every remaining path segment.
    Trailing,
    /// `?<name>` or `?<name..>`: the query.
    Query,
}

/// The URI literal of a route attribute: `#[get("/path", ..)]` or
/// `#[route(GET, uri = "/path", ..)]`.
pub(crate) fn uri(attr: &Attribute) -> Option<LitStr> {
    let args = attr
        .parse_args_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        .ok()?;
    args.into_iter().find_map(|arg| match arg {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(lit), ..
        }) => Some(lit),
        Expr::Assign(assign) if is_ident(&assign.left, "uri") => match *assign.right {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(lit), ..
            }) => Some(lit),
            _ => None,
        },
        _ => None,
    })
}

fn is_ident(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Path(path) if path.path.is_ident(name))
}

/// The dynamic segments and query parameters of a route URI, in order.
pub(crate) fn params(uri: &str) -> Vec<Param> {
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let path = path.split('/').map(|part| (part, false));
    let query = query.split('&').map(|part| (part, true));
    path.chain(query)
        .filter_map(|(part, in_query)| {
            let inner = part.strip_prefix('<')?.strip_suffix('>')?;
            let (name, trailing) = match inner.strip_suffix("..") {
                Some(name) => (name, true),
                None => (inner, false),
            };
            let kind = match (in_query, trailing) {
                (true, _) => ParamKind::Query,
                (false, true) => ParamKind::Trailing,
                (false, false) => ParamKind::Segment,
            };
            Some(Param {
                name: name.to_owned(),
                kind,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(name: &str, kind: ParamKind) -> Param {
        Param {
            name: name.to_owned(),
            kind,
        }
    }

    #[test]
    fn params_of_a_uri() {
        assert_eq!(params("/orders"), []);
        assert_eq!(
            params("/organizations/<org_id>/members"),
            [param("org_id", ParamKind::Segment)]
        );
        assert_eq!(
            params("/<a>/x/<rest..>?<q>&fixed=1&<all..>"),
            [
                param("a", ParamKind::Segment),
                param("rest", ParamKind::Trailing),
                param("q", ParamKind::Query),
                param("all", ParamKind::Query),
            ]
        );
    }

    #[test]
    fn uri_of_an_attribute() {
        let attrs: Vec<Attribute> = vec![
            syn::parse_quote!(#[get("/a/<b>")]),
            syn::parse_quote!(#[rocket::post("/a/<b>", data = "<body>")]),
            syn::parse_quote!(#[get(uri = "/a/<b>", rank = 2)]),
            syn::parse_quote!(#[route(GET, uri = "/a/<b>")]),
        ];
        for attr in &attrs {
            assert_eq!(uri(attr).map(|lit| lit.value()).as_deref(), Some("/a/<b>"));
        }
        let bare: Attribute = syn::parse_quote!(#[get]);
        assert!(uri(&bare).is_none());
    }
}
