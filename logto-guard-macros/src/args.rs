//! The `name = value` arguments of this crate's attributes, read once into [`RawArg`]s, and
//! the slots each attribute fills from them (serde_derive's `Attr`): a second value for a slot
//! is reported at its name and not read.

use proc_macro2::TokenTree;
use syn::ext::IdentExt as _;
use syn::parse::ParseStream;
use syn::{Expr, Ident, Lit, LitStr, Path, Token, Type};

use crate::ctxt::Ctxt;

/// `name = value`, a bare `name`, or `name(..)` (which is never right).
pub(crate) struct RawArg {
    pub(crate) name: Ident,
    pub(crate) value: Option<Value>,
    /// The `(..)` or `[..]` of `name(..)`.
    pub(crate) group: Option<TokenTree>,
}

/// What follows `name =`: an expression, or a type for the arguments that take one.
pub(crate) enum Value {
    Expr(Expr),
    Type(Type),
}

/// Parses `name = value, ...`; the values of the names in `typed` are types. `expected` is
/// what to say when an argument does not start with a name.
pub(crate) fn parse_raw_args(
    input: ParseStream<'_>,
    typed: &[&str],
    expected: &str,
) -> syn::Result<Vec<RawArg>> {
    let mut args = Vec::new();
    while !input.is_empty() {
        if !input.peek(Ident::peek_any) {
            return Err(input.error(expected));
        }
        let name = input.call(Ident::parse_any)?;
        let mut group = None;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            if typed.contains(&name.unraw().to_string().as_str()) && !input.peek(LitStr) {
                Some(Value::Type(input.parse()?))
            } else {
                Some(Value::Expr(ungroup(input.parse()?)))
            }
        } else {
            if input.peek(syn::token::Paren) || input.peek(syn::token::Bracket) {
                group = Some(input.parse::<TokenTree>()?);
            }
            None
        };
        args.push(RawArg { name, value, group });
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
    }
    Ok(args)
}

/// One argument of an attribute: set at most once.
pub(crate) struct Slot<T> {
    name: &'static str,
    given: bool,
    value: Option<T>,
}

impl<T> Slot<T> {
    pub(crate) const fn new(name: &'static str) -> Self {
        Self {
            name,
            given: false,
            value: None,
        }
    }

    /// Fills the slot with what `read` makes of the argument written at `at`; a second one is
    /// reported and not read.
    pub(crate) fn set(&mut self, cx: &Ctxt, at: &Ident, read: impl FnOnce() -> Option<T>) {
        if self.given {
            cx.error_spanned_by(
                at,
                format!("duplicate argument `{}`: give it once", self.name),
            );
            return;
        }
        self.given = true;
        self.value = read();
    }

    /// Whether the argument was written, valid or not.
    pub(crate) const fn given(&self) -> bool {
        self.given
    }

    /// Whether the argument was written but is not valid (reported when read).
    pub(crate) const fn failed(&self) -> bool {
        self.given && self.value.is_none()
    }

    /// The valid value, if any.
    pub(crate) fn get(self) -> Option<T> {
        self.value
    }
}

/// `crate = "path"`: how the app names the runtime crate, as `#[serde(crate = "..")]`.
pub(crate) fn parse_crate(cx: &Ctxt, value: Expr) -> Option<Path> {
    let lit = string(cx, "crate", value, "crate = \"my_logto_guard\"")?;
    match lit.parse::<Path>() {
        Ok(path) => Some(path),
        Err(_) => {
            cx.error_spanned_by(
                &lit,
                format!(
                    "`crate` must be a path, like `crate = \"my_logto_guard\"`, not {:?}",
                    lit.value()
                ),
            );
            None
        }
    }
}

/// The string literal `value` of argument `key`; `example` shows one.
pub(crate) fn string(cx: &Ctxt, key: &str, value: Expr, example: &str) -> Option<LitStr> {
    let lit = string_literal(&value).cloned();
    if lit.is_none() {
        cx.error_spanned_by(
            value,
            format!("`{key}` must be a string literal, like `{example}`"),
        );
    }
    lit
}

pub(crate) fn string_literal(expr: &Expr) -> Option<&LitStr> {
    match expr {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(lit),
            attrs,
        }) if attrs.is_empty() => Some(lit),
        _ => None,
    }
}

/// Looks through the invisible groups a `macro_rules!` fragment arrives in.
pub(crate) fn ungroup(expr: Expr) -> Expr {
    match expr {
        Expr::Group(group) => ungroup(*group.expr),
        expr => expr,
    }
}
