//! Requirements declared with `#[requires]`, collected from the whole binary at start-up.

use crate::organization::OrganizationRule;
use crate::requirement::{ClientRule, ScopeMode};

/// One `#[requires]` as written on a handler: what the scope manifest is built from.
///
/// With an empty `resource` the declaration is for an **organization token**, and its
/// `scopes` are organization permissions (Logto's organization template), not permissions of
/// an API resource; see [`is_organization_token`](Self::is_organization_token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declaration {
    /// The API resource indicator; empty for an organization token.
    pub resource: &'static str,
    /// The scopes; empty means any valid token for the resource (or organization).
    pub scopes: &'static [&'static str],
    /// All of the scopes, or any one.
    pub mode: ScopeMode,
    /// The `description` argument, if any.
    pub description: Option<&'static str>,
    /// The `organization` argument: none, any organization, or the route segment naming it.
    pub organization: OrganizationRule,
    /// The `client` argument: any client, only machine-to-machine apps, or only users.
    pub client: ClientRule,
    /// The handler function's name.
    pub handler: &'static str,
    /// `module_path!()` of the handler.
    pub module: &'static str,
    /// `file!()` of the handler.
    pub file: &'static str,
    /// `line!()` of the handler.
    pub line: u32,
}

inventory::collect!(Declaration);

impl Declaration {
    /// Every declaration linked into this binary, in no particular order.
    pub fn all() -> impl Iterator<Item = &'static Declaration> {
        inventory::iter::<Declaration>.into_iter()
    }

    /// Whether this declares an organization token (`#[requires(organization, ..)]` without
    /// `resource`): its scopes are organization permissions, not an API resource's.
    ///
    /// ```
    /// use logto_guard::{ClientRule, Declaration, OrganizationRule, ScopeMode};
    ///
    /// let members = Declaration {
    ///     resource: "",
    ///     scopes: &["read:members"],
    ///     mode: ScopeMode::All,
    ///     description: None,
    ///     organization: OrganizationRule::Segment("org_id"),
    ///     client: ClientRule::Any,
    ///     handler: "members",
    ///     module: "app",
    ///     file: "src/lib.rs",
    ///     line: 1,
    /// };
    /// assert!(members.is_organization_token());
    /// ```
    #[must_use]
    pub const fn is_organization_token(&self) -> bool {
        self.resource.is_empty()
    }
}

/// Checks a resource indicator at compile time, for `#[requires(resource = SOME_CONST)]`:
/// an absolute URI (`scheme ":" ...`) without a fragment (RFC 8707 §2).
///
/// # Panics
///
/// During constant evaluation, with a message that names the problem.
pub const fn assert_resource_indicator(resource: &str) {
    let bytes = resource.as_bytes();
    let mut i = 0;
    let mut scheme_end = None;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'#' {
            panic!("`resource` must not have a fragment (RFC 8707)");
        }
        if b <= b' ' || b >= 0x7f {
            panic!("`resource` must be a URI without spaces, control or non-ASCII characters");
        }
        if scheme_end.is_none() {
            if b == b':' && i > 0 {
                scheme_end = Some(i);
            } else if !(b.is_ascii_alphabetic()
                || (i > 0 && (b.is_ascii_digit() || b == b'+' || b == b'-' || b == b'.')))
            {
                panic!("`resource` must be an absolute URI such as \"https://api.example.com\"");
            }
        }
        i += 1;
    }
    match scheme_end {
        Some(end) if end + 1 < bytes.len() => {}
        _ => panic!("`resource` must be an absolute URI such as \"https://api.example.com\""),
    }
}
