//! What a route requires of a token: a resource (audience) or an organization, the kind of
//! client, and scopes.

use crate::error::AuthError;
use crate::organization::{OrganizationMatch, OrganizationRule};
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

/// Which kind of client a token may have been issued to.
///
/// Logto's machine-to-machine tokens have `sub == client_id`
/// ([`AccessToken::is_machine_to_machine`]); every other token acts for a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientRule {
    /// Tokens of users and of machine-to-machine apps (the default).
    #[default]
    Any,
    /// Only machine-to-machine tokens (`#[requires(client = "machine", ..)]`).
    Machine,
    /// Only user tokens, no machine-to-machine token (`#[requires(client = "user", ..)]`).
    User,
}

impl ClientRule {
    /// Checks the token's kind of client: [`AuthError::MachineToMachineRequired`] or
    /// [`AuthError::UserRequired`] when it is the other kind.
    pub fn check(self, token: &AccessToken) -> Result<(), AuthError> {
        match (self, token.is_machine_to_machine()) {
            (Self::Machine, false) => Err(AuthError::MachineToMachineRequired),
            (Self::User, true) => Err(AuthError::UserRequired),
            _ => Ok(()),
        }
    }
}

/// A requirement as a value: the resource a token must be for (or an organization), the kind
/// of client, and its scopes. Framework-free: [`check`](Self::check) a verified token.
///
/// ```
/// use logto_guard::{ClientRule, OrganizationMatch, Policy};
///
/// // A token for the resource, with `read:orders`.
/// let policy = Policy::all("https://api.example.com", &["read:orders"]);
/// assert_eq!(policy.resource, "https://api.example.com");
///
/// // An organization-level API resource token for organization `org-a`.
/// let policy = Policy::all("https://api.example.com", &["read:orders"]).in_organization("org-a");
/// assert_eq!(policy.organization, OrganizationMatch::Id("org-a"));
///
/// // An organization token (aud `urn:logto:organization:org-a`), with `read:members`.
/// let policy = Policy::organization_token(&["read:members"]).in_organization("org-a");
/// assert!(policy.resource.is_empty());
///
/// // Only machine-to-machine tokens.
/// let policy = Policy::all("https://api.example.com", &[]).client(ClientRule::Machine);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy<'a> {
    /// The API resource indicator the token's `aud` must contain; **empty** for an
    /// organization token, whose `aud` must be `urn:logto:organization:<id>`.
    pub resource: &'a str,
    /// The scopes; empty means any valid token for the resource (or organization).
    pub scopes: &'a [&'a str],
    /// All of `scopes`, or any one.
    pub mode: ScopeMode,
    /// Which organization the token must be for.
    pub organization: OrganizationMatch<'a>,
    /// Which kind of client the token may be issued to.
    pub client: ClientRule,
}

impl<'a> Policy<'a> {
    /// Requires every one of `scopes`, on a token for `resource`.
    #[must_use]
    pub const fn all(resource: &'a str, scopes: &'a [&'a str]) -> Self {
        Self {
            resource,
            scopes,
            mode: ScopeMode::All,
            organization: OrganizationMatch::None,
            client: ClientRule::Any,
        }
    }

    /// Requires any one of `scopes`, on a token for `resource`.
    #[must_use]
    pub const fn any(resource: &'a str, scopes: &'a [&'a str]) -> Self {
        Self {
            mode: ScopeMode::Any,
            ..Self::all(resource, scopes)
        }
    }

    /// Requires an organization token (`aud` = `urn:logto:organization:<id>`, any
    /// organization unless narrowed with [`in_organization`](Self::in_organization)) with
    /// every one of `scopes` (organization permissions).
    #[must_use]
    pub const fn organization_token(scopes: &'a [&'a str]) -> Self {
        Self {
            organization: OrganizationMatch::Any,
            ..Self::all("", scopes)
        }
    }

    /// Requires the token to be for the organization `id`: an organization token for it, or,
    /// with a resource, an organization-level API resource token whose `organization_id` is
    /// `id`.
    #[must_use]
    pub const fn in_organization(mut self, id: &'a str) -> Self {
        self.organization = OrganizationMatch::Id(id);
        self
    }

    /// Requires the token to be for some organization, any one.
    #[must_use]
    pub const fn in_any_organization(mut self) -> Self {
        self.organization = OrganizationMatch::Any;
        self
    }

    /// Requires this kind of client.
    #[must_use]
    pub const fn client(mut self, client: ClientRule) -> Self {
        self.client = client;
        self
    }

    /// Checks a verified token, in this order:
    ///
    /// 1. the audience: `aud` must contain the resource, or for an organization-token policy
    ///    (empty `resource`) be `urn:logto:organization:<id>` (else 401 `invalid_token`,
    ///    [`AuthError::AudienceMismatch`]);
    /// 2. the kind of client (else 403 `insufficient_scope`,
    ///    [`AuthError::MachineToMachineRequired`] or [`AuthError::UserRequired`]);
    /// 3. the organization: the token must be for one
    ///    ([`AuthError::OrganizationRequired`]), and for `Id(id)` for that one
    ///    ([`AuthError::OrganizationMismatch`]), both 403 `insufficient_scope`;
    /// 4. the scopes (else 403 `insufficient_scope`, [`AuthError::InsufficientScope`]).
    ///
    /// ```
    /// # #[cfg(feature = "testing")]
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use logto_guard::testing::TestIssuer;
    /// use logto_guard::{AuthError, Policy, Validator};
    ///
    /// let issuer = TestIssuer::start().await;
    /// let validator = Validator::new(issuer.config())?.with_organization_tokens(true);
    /// let token = issuer.token().organization_token("org-a").scopes(["read:members"]).sign();
    /// let token = validator.validate(&token).await?;
    ///
    /// let members = Policy::organization_token(&["read:members"]);
    /// assert_eq!(members.in_organization("org-a").check(&token), Ok(()));
    /// assert_eq!(
    ///     members.in_organization("org-b").check(&token),
    ///     Err(AuthError::OrganizationMismatch { segment: None })
    /// );
    /// # Ok(()) }
    /// # #[cfg(feature = "testing")]
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
    /// ```
    pub fn check(&self, token: &AccessToken) -> Result<(), AuthError> {
        self.check_audience(token)?;
        self.client.check(token)?;
        self.check_organization(token)?;
        self.check_scopes(token)
    }

    fn check_audience(&self, token: &AccessToken) -> Result<(), AuthError> {
        let matches = if self.resource.is_empty() {
            token.is_organization_token()
        } else {
            token.audiences().iter().any(|aud| aud == self.resource)
        };
        if matches {
            Ok(())
        } else if self.resource.is_empty() {
            Err(AuthError::AudienceMismatch {
                expected: "an organization (urn:logto:organization:<id>)".to_owned(),
            })
        } else {
            Err(AuthError::AudienceMismatch {
                expected: self.resource.to_owned(),
            })
        }
    }

    fn check_organization(&self, token: &AccessToken) -> Result<(), AuthError> {
        // An organization-token policy needs an organization even when `organization` is None.
        let required = match self.organization {
            OrganizationMatch::None if self.resource.is_empty() => OrganizationMatch::Any,
            other => other,
        };
        let id = token.organization_id();
        match (required, id) {
            (OrganizationMatch::None, _) => Ok(()),
            (_, None) => Err(AuthError::OrganizationRequired),
            (OrganizationMatch::Any, Some(_)) => Ok(()),
            (OrganizationMatch::Id(expected), Some(id)) if id == expected => Ok(()),
            (OrganizationMatch::Id(_), Some(_)) => {
                Err(AuthError::OrganizationMismatch { segment: None })
            }
        }
    }

    fn check_scopes(&self, token: &AccessToken) -> Result<(), AuthError> {
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
/// use logto_guard::{ClientRule, OrganizationRule, Requirement};
///
/// struct ReadOrders;
///
/// impl Requirement for ReadOrders {
///     const RESOURCE: &'static str = "https://api.example.com";
///     const SCOPES: &'static [&'static str] = &["read:orders"];
/// }
///
/// // An organization token for the organization of the route's `<org_id>` segment.
/// struct ReadMembers;
///
/// impl Requirement for ReadMembers {
///     const RESOURCE: &'static str = "";
///     const SCOPES: &'static [&'static str] = &["read:members"];
///     const ORGANIZATION: OrganizationRule = OrganizationRule::Segment("org_id");
/// }
///
/// // Only machine-to-machine apps.
/// struct Sync;
///
/// impl Requirement for Sync {
///     const RESOURCE: &'static str = "https://api.example.com";
///     const SCOPES: &'static [&'static str] = &["sync:orders"];
///     const CLIENT: ClientRule = ClientRule::Machine;
/// }
/// ```
pub trait Requirement: Send + Sync + 'static {
    /// The API resource indicator; **empty** for an organization token (`aud` =
    /// `urn:logto:organization:<id>`), which then always needs an organization.
    const RESOURCE: &'static str;
    /// The scopes; empty means any valid token for the resource (or organization).
    const SCOPES: &'static [&'static str];
    /// All of the scopes, or any one.
    const MODE: ScopeMode = ScopeMode::All;
    /// A human description, registered with the scopes in Logto.
    const DESCRIPTION: Option<&'static str> = None;
    /// Which organization the token must be for (default: none required).
    const ORGANIZATION: OrganizationRule = OrganizationRule::None;
    /// Which kind of client the token may be issued to (default: any).
    const CLIENT: ClientRule = ClientRule::Any;

    /// This requirement as a [`Policy`].
    ///
    /// An [`OrganizationRule::Segment`] becomes [`OrganizationMatch::Any`] here: the value of
    /// the segment is only known for a request. The `Authorized<R>` guard narrows it to the
    /// matched route's value; without Rocket, call
    /// [`in_organization`](Policy::in_organization) with it yourself.
    #[must_use]
    fn policy() -> Policy<'static> {
        Policy {
            resource: Self::RESOURCE,
            scopes: Self::SCOPES,
            mode: Self::MODE,
            organization: match Self::ORGANIZATION {
                OrganizationRule::None => OrganizationMatch::None,
                OrganizationRule::Any | OrganizationRule::Segment(_) => OrganizationMatch::Any,
            },
            client: Self::CLIENT,
        }
    }
}
