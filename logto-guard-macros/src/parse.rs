//! Parses the `#[requires(...)]` arguments and the function under it into a checked
//! [`Requires`], recording every problem in a [`Ctxt`] with the span of the offending token.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use syn::ext::IdentExt as _;
use syn::parse::{ParseStream, Parser as _};
use syn::{Expr, Ident, Item, ItemFn, LitStr, Path};

use crate::args::{
    RawArg, Slot, Value, parse_crate, parse_raw_args, string, string_literal, ungroup,
};
use crate::ctxt::Ctxt;
use crate::item::{Ours, item_head, ours};
use crate::route::{self, ParamKind, is_route};
use crate::rules::{self, ScopeProblem};

/// One checked `#[requires]`: everything [`crate::expand`] needs.
pub(crate) struct Requires {
    pub(crate) rule: Rule,
    /// How generated code names the runtime crate (`crate = ".."`, default `::logto_guard`).
    pub(crate) krate: TokenStream,
    /// The handler, as written (its route attribute still on it).
    pub(crate) handler: ItemFn,
}

/// What the token must be: the requirement the arguments state.
pub(crate) struct Rule {
    /// `None` for an organization token (then `organization` is not `None`).
    pub(crate) resource: Option<Resource>,
    /// Valid, distinct scope tokens; empty means any valid token for the resource.
    pub(crate) scopes: Vec<LitStr>,
    pub(crate) mode: Mode,
    pub(crate) description: Option<LitStr>,
    pub(crate) organization: Organization,
    pub(crate) client: Client,
    pub(crate) actor: Actor,
    /// `clients = "<group>"`: a valid group name.
    pub(crate) client_group: Option<LitStr>,
    /// `check = <path>`: the custom check's function.
    pub(crate) check: Option<Path>,
}

/// The `resource` argument.
pub(crate) enum Resource {
    /// A string literal, already checked.
    Literal(LitStr),
    /// A path to a `const &str`, checked during constant evaluation.
    Const(Path),
}

/// The `organization` argument.
pub(crate) enum Organization {
    /// Not given.
    None,
    /// `organization`: any organization.
    Any,
    /// `organization = "<name>"`: the organization named by this path segment of the route,
    /// already checked to exist; the literal (for its span) and the segment's name.
    Segment(LitStr, String),
    /// `organization = optional`: with or without an organization, on purpose.
    Optional(Ident),
}

/// The `client` argument.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Client {
    Any,
    Machine,
    User,
}

/// The `actor` argument: whether tokens issued on behalf of another user pass.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Actor {
    Any,
    Forbidden,
    Required,
}

/// All of the scopes (`scope`, `scopes`), or any one (`any`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    All,
    Any,
}

/// The argument names, in the order the docs list them.
const ARGUMENTS: &[&str] = &[
    "resource",
    "organization",
    "scope",
    "scopes",
    "any",
    "client",
    "clients",
    "actor",
    "check",
    "description",
    "crate",
];

/// The values of `client`.
const CLIENTS: &[&str] = &["machine", "user"];

const NOT_A_HANDLER: &str = "`#[requires]` goes on a Rocket route handler: a `fn` with a route \
    attribute (`#[get]`, `#[post]`, ...), placed above that attribute";

const NOT_FIRST: &str = "`#[requires]` must be placed above the route attribute (`#[get]`, \
    `#[post]`, ...): put it first (and give the fn a route attribute if it has none)";

const TWICE: &str = "a handler takes only one `#[requires]`: merge them into one, with \
    `scopes = [..]` to require all of several scopes or `any = [..]` to require any one of them";

/// Parses and checks `#[requires(<args>)] <item>`, reporting every error found.
pub(crate) fn parse(args: TokenStream, item: TokenStream) -> syn::Result<Requires> {
    let cx = Ctxt::new();
    let args = parse_args(&cx, args);
    let handler = parse_handler(&cx, item);
    if let (Some((rule, _)), Some(handler)) = (&args, &handler) {
        check_segment(&cx, &rule.organization, handler);
    }
    cx.check()?;
    match (args, handler) {
        (Some((rule, krate)), Some(handler)) => Ok(Requires {
            rule,
            krate,
            handler,
        }),
        // `None` only after recording an error, so `check` has returned it.
        _ => Err(syn::Error::new(Span::call_site(), "invalid `#[requires]`")),
    }
}

/// The arguments, checked: the rule and how to name the runtime crate; `None` when one is
/// missing or invalid.
fn parse_args(cx: &Ctxt, tokens: TokenStream) -> Option<(Rule, TokenStream)> {
    let expected = "expected a named argument, like `resource = \"https://api.example.com\"` \
                    or `scope = \"read:orders\"`";
    let raw = match (|input: ParseStream<'_>| parse_raw_args(input, &[], expected)).parse2(tokens) {
        Ok(raw) => raw,
        Err(error) => {
            cx.syn_error(error);
            return None;
        }
    };
    let mut resource = Slot::new("resource");
    let mut organization = Slot::new("organization");
    let mut scope = Slot::new("scope");
    let mut scopes = Slot::new("scopes");
    let mut any = Slot::new("any");
    let mut client = Slot::new("client");
    let mut actor = Slot::new("actor");
    let mut client_group = Slot::new("clients");
    let mut check = Slot::new("check");
    let mut description = Slot::new("description");
    let mut krate = Slot::new("crate");
    // The first of `scope`, `scopes` and `any`: the others conflict with it.
    let mut scope_kind: Option<Ident> = None;
    let mut audience_misspelled = false;
    for RawArg { name, value, group } in raw {
        let key = name.unraw().to_string();
        let Some(&key) = ARGUMENTS.iter().find(|known| **known == key) else {
            // A misspelled `resource` or `organization` is not reported as missing too.
            let suggestion = unknown_argument(cx, &name, &key);
            audience_misspelled |= matches!(suggestion, Some("resource" | "organization"));
            continue;
        };
        let value = value.map(|value| match value {
            Value::Expr(expr) => expr,
            Value::Type(_) => unreachable!("no argument of #[requires] takes a type"),
        });
        if key == "organization" && group.is_none() {
            organization.set(cx, &name, || Some(parse_organization(cx, value)));
            continue;
        }
        let needs_value = |value: Option<Expr>| {
            if value.is_none() {
                cx.error_spanned_by(&name, format!("`{key}` needs a value: `{}`", example(key)));
            }
            value
        };
        match key {
            "resource" => resource.set(cx, &name, || parse_resource(cx, needs_value(value)?)),
            "description" => description.set(cx, &name, || {
                string(cx, key, needs_value(value)?, example(key))
            }),
            "client" => client.set(cx, &name, || Some(parse_client(cx, needs_value(value)?))),
            "actor" => actor.set(cx, &name, || parse_actor(cx, needs_value(value)?)),
            "clients" => {
                client_group.set(cx, &name, || parse_client_group(cx, needs_value(value)?))
            }
            "check" => check.set(cx, &name, || parse_check(cx, needs_value(value)?)),
            "organization" => organization.set(cx, &name, || {
                needs_value(value)?;
                None
            }),
            "crate" => krate.set(cx, &name, || parse_crate(cx, needs_value(value)?)),
            _ => {
                let (slot, mode) = match key {
                    "scope" => (&mut scope, Mode::All),
                    "scopes" => (&mut scopes, Mode::All),
                    _ => (&mut any, Mode::Any),
                };
                let first = scope_kind.clone();
                slot.set(cx, &name, || {
                    let value = needs_value(value)?;
                    let list = match key {
                        "scope" => scope_value(cx, value),
                        _ => scope_list(cx, key, value),
                    };
                    match &first {
                        Some(first) => {
                            conflict(cx, first, &name);
                            None
                        }
                        None => Some((mode, list)),
                    }
                });
                scope_kind.get_or_insert(name);
            }
        }
    }
    let has_resource = resource.given();
    let has_organization = organization.given();
    if !has_resource && !has_organization && !audience_misspelled {
        cx.error_at(
            Span::call_site(),
            "missing `resource`: name the API resource indicator the token must be for, like \
             `#[requires(resource = \"https://api.example.com\", scope = \"read:orders\")]`, \
             or write `organization` to require a Logto organization token",
        );
    }
    let organization = organization.get().unwrap_or(Organization::None);
    if let (Organization::Optional(ident), false) = (&organization, has_resource) {
        cx.error_spanned_by(
            ident,
            "`organization = optional` accepts a token for a resource with or without an \
             organization, so it needs `resource`; for a Logto organization token write \
             `organization`",
        );
    }
    let (mode, scopes) = scope
        .get()
        .or(scopes.get())
        .or(any.get())
        .unwrap_or((Mode::All, Vec::new()));
    let resource = match resource.get() {
        Some(resource) => Some(resource),
        // Invalid, reported above (or not given, with an organization token).
        None if has_resource || !has_organization => return None,
        None => None,
    };
    let rule = Rule {
        resource,
        scopes,
        mode,
        description: description.get(),
        organization,
        client: client.get().unwrap_or(Client::Any),
        actor: actor.get().unwrap_or(Actor::Any),
        client_group: client_group.get(),
        check: check.get(),
    };
    Some((rule, route::crate_path(krate.get().as_ref())))
}

/// Reports an unknown argument; returns the argument it suggests instead.
fn unknown_argument(cx: &Ctxt, name: &Ident, key: &str) -> Option<&'static str> {
    let suggestion = match key {
        "aud" | "audience" | "api" | "resource_indicator" | "indicator" => Some("resource"),
        "permission" => Some("scope"),
        "all" | "all_of" | "permissions" => Some("scopes"),
        "any_of" | "one_of" => Some("any"),
        "desc" | "doc" => Some("description"),
        "org" | "organisation" | "organization_id" | "org_id" | "tenant" => Some("organization"),
        "machine" | "m2m" | "client_type" | "token_type" | "kind" => Some("client"),
        "client_id" | "client_ids" | "client_group" | "apps" | "applications"
        | "allowed_clients" => Some("clients"),
        "predicate" | "guard" | "rule" | "custom" | "custom_check" | "validate" => Some("check"),
        "act" | "impersonation" | "delegation" | "on_behalf_of" => Some("actor"),
        _ => rules::closest(key, ARGUMENTS),
    };
    let message = match suggestion {
        Some(known) => format!("unknown argument `{key}`: did you mean `{known}`?"),
        None => format!(
            "unknown argument `{key}`: expected `resource`, `organization`, `scope`, `scopes`, \
             `any`, `client`, `clients`, `actor`, `check`, `description` or `crate`"
        ),
    };
    cx.error_spanned_by(name, message);
    suggestion
}

fn example(key: &str) -> &'static str {
    match key {
        "resource" => "resource = \"https://api.example.com\"",
        "scope" => "scope = \"read:orders\"",
        "scopes" => "scopes = [\"write:orders\", \"delete:orders\"]",
        "any" => "any = [\"read:orders\", \"admin:orders\"]",
        "client" => "client = \"machine\"",
        "actor" => "actor = forbidden",
        "clients" => "clients = \"billing\"",
        "check" => "check = plans::gold",
        "crate" => "crate = \"my_logto_guard\"",
        "organization" => "organization = \"<org_id>\"",
        _ => "description = \"Read orders\"",
    }
}

/// `scope` with `scopes` or `any`, or `scopes` with `any`: reported on the later one.
fn conflict(cx: &Ctxt, first: &Ident, second: &Ident) {
    let pair = (first.unraw().to_string(), second.unraw().to_string());
    let message = match (pair.0.as_str(), pair.1.as_str()) {
        ("scope", "scopes") | ("scopes", "scope") => {
            "`scope` and `scopes` cannot be combined: list every required scope in `scopes = [..]`"
        }
        ("scope", "any") | ("any", "scope") => {
            "`scope` and `any` cannot be combined: list every accepted scope in `any = [..]`"
        }
        _ => {
            "`scopes` and `any` cannot be combined: `scopes = [..]` requires all of its scopes, \
             `any = [..]` any one of them; choose one"
        }
    };
    cx.error_spanned_by(second, message);
}

fn parse_resource(cx: &Ctxt, value: Expr) -> Option<Resource> {
    if let Some(lit) = string_literal(&value) {
        let resource = lit.value();
        let Err(problem) = rules::check_resource(&resource) else {
            return Some(Resource::Literal(lit.clone()));
        };
        let message = problem.message(&resource);
        cx.error_spanned_by(lit, message);
        return None;
    }
    match value {
        Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => {
            Some(Resource::Const(path.path))
        }
        other => {
            cx.error_spanned_by(
                other,
                "`resource` must be a string literal or the path of a `const &str`, like \
                 `resource = \"https://api.example.com\"` or `resource = ORDERS_API`",
            );
            None
        }
    }
}

const ORGANIZATION_FORMS: &str = "write `organization` for any organization, \
    `organization = \"<org_id>\"` for the one named by the route's `<org_id>` segment, or \
    `organization = optional` for tokens with or without an organization";

/// `organization` (any organization), `organization = "<segment>"` or
/// `organization = optional`; the segment's existence in the route is checked by
/// [`check_segment`].
fn parse_organization(cx: &Ctxt, value: Option<Expr>) -> Organization {
    let Some(value) = value else {
        return Organization::Any;
    };
    if let Expr::Path(path) = &value
        && path.qself.is_none()
        && let Some(ident) = path.path.get_ident()
    {
        if ident == "optional" {
            return Organization::Optional(ident.clone());
        }
        let message = match ident.to_string().as_str() {
            "any" | "required" | "true" => {
                format!("`organization = {ident}` is written `organization`: any organization")
            }
            "none" | "false" => format!(
                "`organization = {ident}` is the default: leave `organization` out for a route \
                 that is not for an organization"
            ),
            _ => format!("unknown organization form `{ident}`: {ORGANIZATION_FORMS}"),
        };
        cx.error_spanned_by(ident, message);
        return Organization::None;
    }
    let Some(lit) = string_literal(&value) else {
        cx.error_spanned_by(
            value,
            format!(
                "`organization` takes no value or a route segment as a string: {ORGANIZATION_FORMS}"
            ),
        );
        return Organization::None;
    };
    let text = lit.value();
    let inner = text.strip_prefix('<').and_then(|s| s.strip_suffix('>'));
    let message = match inner {
        Some(inner) if inner.ends_with("..") => format!(
            "`{text}` stands for several path segments, but an organization id is one: name a \
             single segment, like `organization = \"<{}>\"`",
            inner.trim_end_matches('.')
        ),
        Some(name) if is_identifier(name) => {
            return Organization::Segment(lit.clone(), name.to_owned());
        }
        Some(_) => format!(
            "`{text}` is not a route segment name: a segment is written `<name>` with `name` an \
             identifier, like `organization = \"<org_id>\"`"
        ),
        None if is_identifier(&text) => format!(
            "`organization` names a path segment of the route in angle brackets: write \
             `organization = \"<{text}>\"` (a fixed organization id is not supported)"
        ),
        None => format!(
            "`organization` names a path segment of the route, not an organization id: \
             {ORGANIZATION_FORMS}"
        ),
    };
    cx.error_spanned_by(lit, message);
    Organization::None
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
}

/// Checks that `organization = "<name>"` names a single dynamic path segment of the route
/// attribute under `#[requires]`; the error points at the `"<name>"` literal.
fn check_segment(cx: &Ctxt, organization: &Organization, handler: &ItemFn) {
    let Organization::Segment(lit, name) = organization else {
        return;
    };
    // Without a route attribute, `parse_handler` has reported that already.
    let Some(attr) = handler.attrs.iter().find(|attr| is_route(attr)) else {
        return;
    };
    let Some(uri) = route::uri(attr) else {
        cx.error_spanned_by(
            lit,
            format!(
                "cannot check `<{name}>`: the route attribute's URI is not a string literal, \
                 like `#[get(\"/organizations/<{name}>/members\")]`"
            ),
        );
        return;
    };
    let uri = uri.value();
    let params = route::params(&uri);
    let message = match params.iter().find(|param| param.name == *name) {
        Some(param) => match param.kind {
            ParamKind::Segment => return,
            ParamKind::Trailing => format!(
                "the route {uri:?} has `<{name}..>`, which stands for several path segments, \
                 but an organization id is one: make it a single segment `<{name}>`"
            ),
            ParamKind::Query => format!(
                "`<{name}>` is a query parameter of the route {uri:?}, but `organization` must \
                 name a path segment, like \"/organizations/<{name}>/...\""
            ),
        },
        None => {
            let segments: Vec<&str> = params
                .iter()
                .filter(|param| param.kind == ParamKind::Segment)
                .map(|param| param.name.as_str())
                .collect();
            // A route with one dynamic segment makes it the obvious suggestion.
            let suggestion = match segments.as_slice() {
                [only] => Some(*only),
                _ => rules::closest(name, &segments),
            };
            match (segments.as_slice(), suggestion) {
                ([], _) => format!(
                    "the route {uri:?} has no segment `<{name}>`, and no dynamic segment at \
                     all: add one, like \"/organizations/<{name}>/...\""
                ),
                (_, Some(close)) => format!(
                    "the route {uri:?} has no segment `<{name}>`: did you mean `<{close}>`?"
                ),
                (segments, None) => format!(
                    "the route {uri:?} has no segment `<{name}>`: its dynamic segments are {}",
                    segments
                        .iter()
                        .map(|segment| format!("`<{segment}>`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
    };
    cx.error_spanned_by(lit, message);
}

/// `actor = forbidden` or `actor = required`.
fn parse_actor(cx: &Ctxt, value: Expr) -> Option<Actor> {
    const FORMS: &str = "write `actor = forbidden` to refuse tokens issued on behalf of another \
        user (Logto impersonation, `act`), or `actor = required` to accept only those; leave \
        `actor` out to accept both";
    let word = match &value {
        Expr::Path(path) if path.qself.is_none() => path.path.get_ident().map(Ident::to_string),
        _ => None,
    };
    let message = match (word.as_deref(), string_literal(&value)) {
        (Some("forbidden"), _) => return Some(Actor::Forbidden),
        (Some("required"), _) => return Some(Actor::Required),
        (_, Some(lit)) => format!(
            "`actor` takes a word, not a string: `actor = {}`",
            lit.value()
        ),
        (Some("any" | "allowed" | "optional"), _) => {
            format!(
                "`actor = {}` is the default: {FORMS}",
                word.unwrap_or_default()
            )
        }
        (Some(other), _) => format!("unknown actor rule `{other}`: {FORMS}"),
        (None, None) => format!("`actor` takes `forbidden` or `required`: {FORMS}"),
    };
    cx.error_spanned_by(value, message);
    None
}

/// `clients = "<group>"`: one client group, by a name the config can list.
fn parse_client_group(cx: &Ctxt, value: Expr) -> Option<LitStr> {
    const ONE_GROUP: &str = "`clients` names one client group, like `clients = \"billing\"`, \
        whose client ids the config lists (`[default.logto.clients]`)";
    let message = match (&value, string_literal(&value)) {
        (_, Some(lit)) => match rules::check_group_name(&lit.value()) {
            Ok(()) => return Some(lit.clone()),
            Err(problem) => format!(
                "{problem}: the name is also the key in `[default.logto.clients]` and the \
                 suffix of `LOGTO_CLIENTS_<NAME>`"
            ),
        },
        (Expr::Array(_), None) => {
            format!("{ONE_GROUP}: list every application of this route in that one group")
        }
        (_, None) => format!("`clients` takes a string: {ONE_GROUP}"),
    };
    cx.error_spanned_by(value, message);
    None
}

/// `check = path::to::function`.
fn parse_check(cx: &Ctxt, value: Expr) -> Option<Path> {
    const SIGNATURE: &str = "a function `fn(&AccessToken) -> Result<(), Denied>`";
    let message = match &value {
        Expr::Path(path) if path.qself.is_none() && path.attrs.is_empty() => {
            return Some(path.path.clone());
        }
        value => match string_literal(value) {
            Some(lit) => format!(
                "`check` takes a path, not a string: `check = {}`",
                lit.value()
            ),
            None => format!(
                "`check` takes the path of {SIGNATURE}, like `check = plans::gold`; write a \
                 closure's body as such a function"
            ),
        },
    };
    cx.error_spanned_by(value, message);
    None
}

/// `client = "machine"` or `client = "user"`.
fn parse_client(cx: &Ctxt, value: Expr) -> Client {
    let Some(lit) = string_literal(&value) else {
        cx.error_spanned_by(
            value,
            "`client` must be a string literal: `client = \"machine\"` (only machine-to-machine \
             tokens) or `client = \"user\"` (only user tokens)",
        );
        return Client::Any;
    };
    let text = lit.value();
    match text.as_str() {
        "machine" => return Client::Machine,
        "user" => return Client::User,
        _ => {}
    }
    let suggestion = match text.to_ascii_lowercase().as_str() {
        "m2m" | "machine-to-machine" | "machine_to_machine" | "machine to machine" | "app"
        | "application" | "service" | "client_credentials" | "machines" | "machine" => {
            Some("machine")
        }
        "users" | "human" | "person" | "end-user" | "end_user" | "user" => Some("user"),
        lower => rules::closest(lower, CLIENTS),
    };
    let message = match (suggestion, text.as_str()) {
        (Some(known), _) => format!("unknown client {text:?}: did you mean \"{known}\"?"),
        (None, "any" | "all" | "both") => format!(
            "unknown client {text:?}: leave `client` out to accept tokens of users and of \
             machine-to-machine apps alike"
        ),
        (None, _) => format!(
            "unknown client {text:?}: expected \"machine\" (only machine-to-machine tokens) or \
             \"user\" (only user tokens); to accept only some applications, name a client \
             group: `clients = {text:?}`"
        ),
    };
    cx.error_spanned_by(lit, message);
    Client::Any
}

/// `scope = "..."`.
fn scope_value(cx: &Ctxt, value: Expr) -> Vec<LitStr> {
    if let Expr::Array(array) = &value {
        cx.error_spanned_by(
            array,
            "`scope` takes one string: for a list, write `scopes = [..]` (all of them are \
             required) or `any = [..]` (any one of them is enough)",
        );
        return Vec::new();
    }
    let Some(lit) = string(cx, "scope", value, example("scope")) else {
        return Vec::new();
    };
    check_scope(cx, &lit, false);
    vec![lit]
}

/// `scopes = [...]` or `any = [...]`.
fn scope_list(cx: &Ctxt, key: &str, value: Expr) -> Vec<LitStr> {
    let array = match value {
        Expr::Array(array) => array,
        other => {
            let message = match string_literal(&other) {
                Some(lit) => format!(
                    "`{key}` takes a list: write `{key} = [{value:?}]`, or `scope = {value:?}` \
                     for a single scope",
                    value = lit.value()
                ),
                None => format!(
                    "`{key}` must be a list of string literals, like `{}`",
                    example(key)
                ),
            };
            cx.error_spanned_by(other, message);
            return Vec::new();
        }
    };
    if array.elems.is_empty() {
        cx.error_spanned_by(
            &array,
            format!(
                "`{key} = []` lists no scopes: list at least one, or leave `{key}` out to accept \
                 any valid token for the resource"
            ),
        );
    }
    let mut list = Vec::new();
    let mut distinct = HashSet::new();
    for element in array.elems {
        let Some(lit) = string_literal(&ungroup(element.clone())).cloned() else {
            cx.error_spanned_by(
                element,
                format!("each scope in `{key}` must be a string literal, like \"read:orders\""),
            );
            continue;
        };
        if check_scope(cx, &lit, true) && !distinct.insert(lit.value()) {
            cx.error_spanned_by(
                &lit,
                format!("scope {:?} is listed twice: remove the repeat", lit.value()),
            );
        }
        list.push(lit);
    }
    list
}

/// Reports what makes `lit` not a scope token; true if it is one.
fn check_scope(cx: &Ctxt, lit: &LitStr, in_list: bool) -> bool {
    let scope = lit.value();
    let message = match rules::check_scope(&scope) {
        Ok(()) => return true,
        Err(ScopeProblem::Empty) => {
            "a scope cannot be empty: name the permission, like \"read:orders\"".to_owned()
        }
        Err(ScopeProblem::Whitespace) => {
            let parts: Vec<_> = scope
                .split_whitespace()
                .map(|part| format!("{part:?}"))
                .collect();
            let fix = match (parts.len(), in_list) {
                (0 | 1, _) => "remove the whitespace".to_owned(),
                (_, false) => format!(
                    "to require several, write `scopes = [{}]`",
                    parts.join(", ")
                ),
                (_, true) => format!("list them separately: {}", parts.join(", ")),
            };
            format!(
                "scope {scope:?} contains whitespace, but a scope is a single token (RFC 6749): \
                 {fix}"
            )
        }
        Err(ScopeProblem::Forbidden(c)) => {
            format!("scope {scope:?} contains `{c}`, which RFC 6749 does not allow in a scope")
        }
        Err(ScopeProblem::Control(c)) => format!(
            "scope {scope:?} contains the control character {c:?}: scopes are printable ASCII \
             (RFC 6749)"
        ),
        Err(ScopeProblem::NonAscii(c)) => format!(
            "scope {scope:?} contains the non-ASCII character `{c}`: scopes are printable ASCII \
             (RFC 6749)"
        ),
        Err(ScopeProblem::TooLong(len)) => format!(
            "this scope is {len} characters long, but Logto stores at most {}: shorten it",
            rules::MAX_SCOPE_LEN
        ),
    };
    cx.error_spanned_by(lit, message);
    false
}

fn parse_handler(cx: &Ctxt, item: TokenStream) -> Option<ItemFn> {
    let item = match syn::parse2::<Item>(item) {
        Ok(item) => item,
        Err(error) => {
            cx.syn_error(error);
            return None;
        }
    };
    let Item::Fn(handler) = item else {
        cx.error_spanned_by(item_head(&item), NOT_A_HANDLER);
        return None;
    };
    for attr in handler
        .attrs
        .iter()
        .filter(|attr| ours(attr) == Some(Ours::Requires))
    {
        cx.error_spanned_by(attr, TWICE);
    }
    if !handler.attrs.iter().any(is_route) {
        cx.error_at(Span::call_site(), NOT_FIRST);
    }
    Some(handler)
}
