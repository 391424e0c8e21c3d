//! Reading the route attribute under `#[requires]`: its URI literal and the dynamic segments
//! (`<name>`, `<name..>`) and query parameters it declares, so that
//! `organization = "<org_id>"` can be checked against the route at compile time.

use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Lit, LitStr, Token};

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
