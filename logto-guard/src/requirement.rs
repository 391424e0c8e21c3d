//! What a route requires of a token: a resource (audience) and scopes.

use crate::error::AuthError;
use crate::token::AccessToken;

/// Whether a token needs every listed scope or any one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScopeMode {
    /// Every scope is required (the default).
    #[default]
    All,
    /// Any one scope suffices.
    Any,
}

/// A requirement as a value: the resource a token must be for, and its scopes.
///
/// ```
/// use logto_guard::{AuthError, Policy};
///
/// let policy = Policy::all("https://api.example.com", &["read:orders"]);
/// assert_eq!(policy.resource, "https://api.example.com");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy<'a> {
    /// The API resource indicator the token's `aud` must contain.
    pub resource: &'a str,
    /// The scopes; empty means any valid token for the resource.
    pub scopes: &'a [&'a str],
    /// All of `scopes`, or any one.
    pub mode: ScopeMode,
}

impl<'a> Policy<'a> {
    /// Requires every one of `scopes`.
    #[must_use]
    pub const fn all(resource: &'a str, scopes: &'a [&'a str]) -> Self {
        Self {
            resource,
            scopes,
            mode: ScopeMode::All,
        }
    }

    /// Requires any one of `scopes`.
    #[must_use]
    pub const fn any(resource: &'a str, scopes: &'a [&'a str]) -> Self {
        Self {
            resource,
            scopes,
            mode: ScopeMode::Any,
        }
    }

    /// Checks a verified token: `aud` must contain the resource (else 401 `invalid_token`),
    /// then the scopes must be granted (else 403 `insufficient_scope`).
    pub fn check(&self, token: &AccessToken) -> Result<(), AuthError> {
        if !token.audiences().iter().any(|aud| aud == self.resource) {
            return Err(AuthError::AudienceMismatch {
                expected: self.resource.to_owned(),
            });
        }
        let scopes = token.scopes();
        let granted = match self.mode {
            _ if self.scopes.is_empty() => true,
            ScopeMode::All => scopes.contains_all(self.scopes.iter().copied()),
            ScopeMode::Any => scopes.contains_any(self.scopes.iter().copied()),
        };
        if granted {
            Ok(())
        } else {
            Err(AuthError::InsufficientScope {
                required: self.scopes.join(" "),
                any: self.mode == ScopeMode::Any,
            })
        }
    }
}

/// A requirement as a type, for the `Authorized<R>` guard. `#[requires]` generates these;
/// write one by hand for advanced use:
///
/// ```
/// use logto_guard::Requirement;
///
/// struct ReadOrders;
///
/// impl Requirement for ReadOrders {
///     const RESOURCE: &'static str = "https://api.example.com";
///     const SCOPES: &'static [&'static str] = &["read:orders"];
/// }
/// ```
pub trait Requirement: Send + Sync + 'static {
    /// The API resource indicator.
    const RESOURCE: &'static str;
    /// The scopes; empty means any valid token for the resource.
    const SCOPES: &'static [&'static str];
    /// All of the scopes, or any one.
    const MODE: ScopeMode = ScopeMode::All;
    /// A human description, registered with the scopes in Logto.
    const DESCRIPTION: Option<&'static str> = None;

    /// This requirement as a [`Policy`].
    #[must_use]
    fn policy() -> Policy<'static> {
        Policy {
            resource: Self::RESOURCE,
            scopes: Self::SCOPES,
            mode: Self::MODE,
        }
    }
}
