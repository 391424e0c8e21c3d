//! What a route requires of a token: a resource (audience) or an organization, the kind of
//! client, and scopes.

use crate::client_group::{ClientGroup, ClientsMatch};
use crate::custom_check::CustomCheck;
use crate::error::{AuthError, ExpectedAudience};
use crate::organization::{OrganizationMatch, OrganizationRule};
use crate::token::AccessToken;

/// Whether a token needs every listed scope or any one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
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
#[non_exhaustive]
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

/// Whether a route accepts tokens issued on behalf of another user: Logto's impersonation
/// (token exchange, RFC 8693) gives a token for user B that user A acts with, marked by its
/// `act` claim ([`AccessToken::actor`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ActorRule {
    /// Tokens with and without an actor (the default).
    #[default]
    Any,
    /// No token that carries `act` (`#[requires(actor = forbidden, ..)]`): for a payment, a
    /// deletion or an account change that the user must make themselves.
    Forbidden,
    /// Only tokens that carry `act` (`#[requires(actor = required, ..)]`): a support tool
    /// that acts for users.
    Required,
}

impl ActorRule {
    /// Checks whether the token has an actor: [`AuthError::ActorNotAllowed`] or
    /// [`AuthError::ActorRequired`] when the rule says otherwise.
    pub fn check(self, token: &AccessToken) -> Result<(), AuthError> {
        match (self, token.actor().is_some()) {
            (Self::Forbidden, true) => Err(AuthError::ActorNotAllowed),
            (Self::Required, false) => Err(AuthError::ActorRequired),
            _ => Ok(()),
        }
    }
}

/// What a token's `aud` must name: an API resource, or a Logto organization.
///
/// A type of its own, not a string with a special value, so that no configuration value can
/// turn a resource requirement into an organization one.
///
/// ```
/// use logto_guard::Audience;
///
/// let orders = Audience::Resource("https://api.example.com");
/// let members = Audience::Organization;
/// assert_ne!(orders, members);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Audience<'a> {
    /// A token for this API resource indicator: `aud` contains it. An empty indicator matches
    /// no token.
    Resource(&'a str),
    /// A Logto organization token: `aud` is `urn:logto:organization:<id>`, and its scopes are
    /// organization permissions.
    Organization,
}

impl Audience<'_> {
    /// The resource indicator, for [`Audience::Resource`].
    #[must_use]
    pub const fn resource(&self) -> Option<&str> {
        match self {
            Self::Resource(resource) => Some(*resource),
            Self::Organization => None,
        }
    }
}

/// A requirement as a value: the audience a token must have (a resource or an organization),
/// its organization context, the kind of client, and its scopes. Framework-free:
/// [`check`](Self::check) a verified token.
///
/// ```
/// use logto_guard::{Audience, ClientRule, OrganizationMatch, Policy};
///
/// // A token for the resource, with `read:orders`, not bound to any organization.
/// let policy = Policy::all("https://api.example.com", &["read:orders"]);
/// assert_eq!(policy.audience, Audience::Resource("https://api.example.com"));
/// assert_eq!(policy.organization, OrganizationMatch::None);
///
/// // An organization-level API resource token for organization `org-a`.
/// let policy = Policy::all("https://api.example.com", &["read:orders"]).in_organization("org-a");
/// assert_eq!(policy.organization, OrganizationMatch::Id("org-a"));
///
/// // A token for the resource, with or without an organization, on purpose.
/// let policy = Policy::all("https://api.example.com", &["read:orders"]).optional_organization();
///
/// // An organization token (aud `urn:logto:organization:org-a`), with `read:members`.
/// let policy = Policy::organization_token(&["read:members"]).in_organization("org-a");
/// assert_eq!(policy.audience, Audience::Organization);
///
/// // Only machine-to-machine tokens.
/// let policy = Policy::all("https://api.example.com", &[]).client(ClientRule::Machine);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Policy<'a> {
    /// What the token's `aud` must name.
    pub audience: Audience<'a>,
    /// The scopes; empty means any valid token for the audience.
    pub scopes: &'a [&'a str],
    /// All of `scopes`, or any one.
    pub mode: ScopeMode,
    /// The organization context the token must have.
    pub organization: OrganizationMatch<'a>,
    /// Which kind of client the token may be issued to.
    pub client: ClientRule,
    /// Whether the token may, or must, be issued on behalf of another user.
    pub actor: ActorRule,
    /// Which applications may hold the token, by `client_id`.
    pub clients: ClientsMatch<'a>,
    /// The route's own rule, run after every other check.
    pub custom_check: Option<CustomCheck>,
}

impl<'a> Policy<'a> {
    /// Requires every one of `scopes`, on a token for `resource` that is not bound to an
    /// organization.
    #[must_use]
    pub const fn all(resource: &'a str, scopes: &'a [&'a str]) -> Self {
        Self {
            audience: Audience::Resource(resource),
            scopes,
            mode: ScopeMode::All,
            organization: OrganizationMatch::None,
            client: ClientRule::Any,
            actor: ActorRule::Any,
            clients: ClientsMatch::Any,
            custom_check: None,
        }
    }

    /// Requires any one of `scopes`, on a token for `resource` that is not bound to an
    /// organization.
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
            audience: Audience::Organization,
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

    /// Accepts a token for the resource with or without an organization, on purpose; the
    /// caller must then scope its data by [`AccessToken::organization_id`] itself. See
    /// [`OrganizationRule::Optional`](crate::OrganizationRule::Optional).
    #[must_use]
    pub const fn optional_organization(mut self) -> Self {
        self.organization = OrganizationMatch::Optional;
        self
    }

    /// Requires this kind of client.
    #[must_use]
    pub const fn client(mut self, client: ClientRule) -> Self {
        self.client = client;
        self
    }

    /// Refuses, or requires, tokens issued on behalf of another user.
    #[must_use]
    pub const fn actor(mut self, actor: ActorRule) -> Self {
        self.actor = actor;
        self
    }

    /// Accepts only tokens whose `client_id` is one of `group`'s
    /// ([`Validator::client_group`](crate::Validator::client_group)).
    #[must_use]
    pub const fn client_group(mut self, group: &'a ClientGroup) -> Self {
        self.clients = ClientsMatch::Group(group);
        self
    }

    /// Runs `check` on a token that passed every other check.
    #[must_use]
    pub const fn custom_check(mut self, check: CustomCheck) -> Self {
        self.custom_check = Some(check);
        self
    }

    /// Checks a verified token, in this order:
    ///
    /// 1. the audience: `aud` must contain the resource, or for [`Audience::Organization`] be
    ///    `urn:logto:organization:<id>` (else 401 `invalid_token`,
    ///    [`AuthError::AudienceMismatch`]);
    /// 2. the kind of client (else 403 `insufficient_scope`,
    ///    [`AuthError::MachineToMachineRequired`] or [`AuthError::UserRequired`]), the client
    ///    group (else 403 `insufficient_scope`, [`AuthError::ClientNotAllowed`]), then the
    ///    actor (else 403 `insufficient_scope`, [`AuthError::ActorNotAllowed`] or
    ///    [`AuthError::ActorRequired`]);
    /// 3. the organization context, all 403 `insufficient_scope`: with
    ///    [`OrganizationMatch::None`] the token must not be bound to an organization
    ///    ([`AuthError::OrganizationNotAllowed`]); with `Any` or `Id` it must be for one
    ///    ([`AuthError::OrganizationRequired`]), and for `Id(id)` for that one
    ///    ([`AuthError::OrganizationMismatch`]);
    /// 4. the scopes (else 403 `insufficient_scope`, [`AuthError::InsufficientScope`]);
    /// 5. the [custom check](Self::custom_check), if any (else 403 `insufficient_scope`,
    ///    [`AuthError::Denied`]).
    ///
    /// A policy for the organization of a route segment that was not narrowed
    /// ([`OrganizationMatch::Segment`]), or for a client group that was not looked up
    /// ([`ClientsMatch::Named`]), refuses every token first, with
    /// [`AuthError::NotConfigured`] (logged).
    ///
    /// ```
    /// # #[cfg(feature = "testing")]
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use logto_guard::testing::TestIssuer;
    /// use logto_guard::{AuthError, Config, Policy, Validator};
    ///
    /// let issuer = TestIssuer::start().await;
    /// let validator = Validator::new(issuer.config().organization_tokens(true))?;
    /// let token = issuer.token().organization_token("org-a").scopes(["read:members"]).sign();
    /// let token = validator.validate(&token).await?;
    ///
    /// let members = Policy::organization_token(&["read:members"]);
    /// assert_eq!(members.in_organization("org-a").check(&token), Ok(()));
    /// assert_eq!(
    ///     members.in_organization("org-b").check(&token),
    ///     Err(AuthError::OrganizationMismatch { segment: None })
    /// );
    ///
    /// // An organization-level API resource token is refused on a tenant-wide policy.
    /// let token = issuer.token().organization_id("org-a").scopes(["read:orders"]).sign();
    /// let token = validator.validate(&token).await?;
    /// let orders = Policy::all(issuer.resource(), &["read:orders"]);
    /// assert_eq!(orders.check(&token), Err(AuthError::OrganizationNotAllowed));
    /// assert_eq!(orders.in_organization("org-a").check(&token), Ok(()));
    /// # Ok(()) }
    /// # #[cfg(feature = "testing")]
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
    /// ```
    pub fn check(&self, token: &AccessToken) -> Result<(), AuthError> {
        if let OrganizationMatch::Segment(name) = self.organization {
            tracing::error!(
                "logto-guard: a policy for the organization of the route segment `<{name}>` was \
                 checked without that segment's value; narrow it with `in_organization` \
                 (refusing the token)"
            );
            return Err(AuthError::NotConfigured);
        }
        if let ClientsMatch::Named(_) = self.clients {
            return self.clients.check(token);
        }
        self.check_audience(token)?;
        self.client.check(token)?;
        self.clients.check(token)?;
        self.actor.check(token)?;
        self.check_organization(token)?;
        self.check_scopes(token)?;
        match self.custom_check {
            Some(check) => check.run(token).map_err(AuthError::Denied),
            None => Ok(()),
        }
    }

    fn check_audience(&self, token: &AccessToken) -> Result<(), AuthError> {
        match self.audience {
            Audience::Resource(resource)
                if !resource.is_empty() && token.audiences().iter().any(|aud| aud == resource) =>
            {
                Ok(())
            }
            // Not which resource: a 401 must not tell any caller which APIs exist.
            Audience::Resource(_) => Err(AuthError::AudienceMismatch {
                expected: ExpectedAudience::ThisApi,
            }),
            Audience::Organization if token.is_organization_token() => Ok(()),
            Audience::Organization => Err(AuthError::AudienceMismatch {
                expected: ExpectedAudience::Organization,
            }),
        }
    }

    fn check_organization(&self, token: &AccessToken) -> Result<(), AuthError> {
        // An organization token is always for some organization.
        let required = match (self.audience, self.organization) {
            (Audience::Organization, OrganizationMatch::None | OrganizationMatch::Optional) => {
                OrganizationMatch::Any
            }
            (_, other) => other,
        };
        // Most routes take no organization token: they need no id, only whether one is named.
        if required == OrganizationMatch::None {
            if token.names_an_organization() {
                return Err(AuthError::OrganizationNotAllowed);
            }
            return Ok(());
        }
        match (required, token.organization_id()) {
            // Bound to an organization, but not to exactly one: it cannot be filed under one.
            (OrganizationMatch::Optional, None) if token.names_an_organization() => {
                Err(AuthError::OrganizationRequired)
            }
            (OrganizationMatch::Optional | OrganizationMatch::None, _) => Ok(()),
            (_, None) => Err(AuthError::OrganizationRequired),
            (OrganizationMatch::Any, Some(_)) => Ok(()),
            (OrganizationMatch::Id(expected), Some(id)) if id == expected => Ok(()),
            (OrganizationMatch::Id(_), Some(_)) => {
                Err(AuthError::OrganizationMismatch { segment: None })
            }
            // `check` refuses it before; here for a complete match.
            (OrganizationMatch::Segment(_), Some(_)) => Err(AuthError::NotConfigured),
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
/// use logto_guard::{Audience, ClientRule, OrganizationRule, Requirement};
///
/// struct ReadOrders;
///
/// impl Requirement for ReadOrders {
///     const AUDIENCE: Audience<'static> = Audience::Resource("https://api.example.com");
///     const SCOPES: &'static [&'static str] = &["read:orders"];
/// }
///
/// // An organization token for the organization of the route's `<org_id>` segment.
/// struct ReadMembers;
///
/// impl Requirement for ReadMembers {
///     const AUDIENCE: Audience<'static> = Audience::Organization;
///     const SCOPES: &'static [&'static str] = &["read:members"];
///     const ORGANIZATION: OrganizationRule = OrganizationRule::Segment("org_id");
/// }
///
/// // Only machine-to-machine apps.
/// struct Sync;
///
/// impl Requirement for Sync {
///     const AUDIENCE: Audience<'static> = Audience::Resource("https://api.example.com");
///     const SCOPES: &'static [&'static str] = &["sync:orders"];
///     const CLIENT: ClientRule = ClientRule::Machine;
/// }
/// ```
pub trait Requirement: Send + Sync + 'static {
    /// What the token's `aud` must name: an API resource, or a Logto organization.
    const AUDIENCE: Audience<'static>;
    /// The scopes; empty means any valid token for the audience.
    const SCOPES: &'static [&'static str];
    /// All of the scopes, or any one.
    const MODE: ScopeMode = ScopeMode::All;
    /// A human description, registered with the scopes in Logto.
    const DESCRIPTION: Option<&'static str> = None;
    /// The organization context (default: the route is not for an organization, and a token
    /// bound to one is refused).
    const ORGANIZATION: OrganizationRule = OrganizationRule::None;
    /// Which kind of client the token may be issued to (default: any).
    const CLIENT: ClientRule = ClientRule::Any;
    /// Whether the token may, or must, be issued on behalf of another user (default: both).
    const ACTOR: ActorRule = ActorRule::Any;
    /// The client group whose applications may hold the token, by name: its client ids come
    /// from the config ([`Config::client_group`](crate::Config::client_group)). Default: any
    /// application.
    const CLIENT_GROUP: Option<&'static str> = None;
    /// The route's own rule, run after every other check (default: none).
    const CUSTOM_CHECK: Option<CustomCheck> = None;

    /// This requirement as a [`Policy`].
    ///
    /// An [`OrganizationRule::Segment`] becomes [`OrganizationMatch::Segment`] here, which
    /// matches no token: the value of the segment is only known for a request. The
    /// `Authorized<R>` guard narrows it to the matched route's value; without Rocket, call
    /// [`in_organization`](Policy::in_organization) with it yourself. Likewise a
    /// [`CLIENT_GROUP`](Self::CLIENT_GROUP) becomes [`ClientsMatch::Named`], which the guard
    /// narrows to the config's group ([`client_group`](Policy::client_group)).
    #[must_use]
    fn policy() -> Policy<'static> {
        Policy {
            audience: Self::AUDIENCE,
            scopes: Self::SCOPES,
            mode: Self::MODE,
            organization: match Self::ORGANIZATION {
                OrganizationRule::None => OrganizationMatch::None,
                OrganizationRule::Optional => OrganizationMatch::Optional,
                OrganizationRule::Any => OrganizationMatch::Any,
                OrganizationRule::Segment(name) => OrganizationMatch::Segment(name),
            },
            client: Self::CLIENT,
            actor: Self::ACTOR,
            clients: match Self::CLIENT_GROUP {
                Some(name) => ClientsMatch::Named(name),
                None => ClientsMatch::Any,
            },
            custom_check: Self::CUSTOM_CHECK,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    const RESOURCE: &str = "https://api.example.com";

    /// A verified token with these claims (the signature is not what these tests are about).
    fn token(claims: &serde_json::Value) -> AccessToken {
        let issuer: Arc<str> = "https://tenant.logto.app/oidc".into();
        let mut claims = claims.clone();
        claims["iss"] = issuer.as_ref().into();
        claims["exp"] = i64::MAX.into();
        let payload = serde_json::to_vec(&claims).expect("JSON");
        AccessToken::new(crate::payload::parse(payload, &[issuer]).expect("claims"))
    }

    struct MembersOfThePathsOrganization;

    impl Requirement for MembersOfThePathsOrganization {
        const AUDIENCE: Audience<'static> = Audience::Organization;
        const SCOPES: &'static [&'static str] = &["read:members"];
        const ORGANIZATION: OrganizationRule = OrganizationRule::Segment("org_id");
    }

    struct OrdersOfThePathsOrganization;

    impl Requirement for OrdersOfThePathsOrganization {
        const AUDIENCE: Audience<'static> = Audience::Resource(RESOURCE);
        const SCOPES: &'static [&'static str] = &["read:orders"];
        const ORGANIZATION: OrganizationRule = OrganizationRule::Segment("org_id");
    }

    #[test]
    fn a_path_bound_policy_matches_no_token_until_narrowed() {
        let organization_token = token(&serde_json::json!({
            "aud": "urn:logto:organization:org-a",
            "scope": "read:members",
        }));
        let organization_level = token(&serde_json::json!({
            "aud": RESOURCE,
            "organization_id": "org-a",
            "scope": "read:orders",
        }));
        for (policy, token) in [
            (MembersOfThePathsOrganization::policy(), &organization_token),
            (OrdersOfThePathsOrganization::policy(), &organization_level),
        ] {
            assert_eq!(policy.organization, OrganizationMatch::Segment("org_id"));
            assert_eq!(policy.check(token), Err(AuthError::NotConfigured));
            assert_eq!(policy.in_organization("org-a").check(token), Ok(()));
            assert_eq!(
                policy.in_organization("org-b").check(token),
                Err(AuthError::OrganizationMismatch { segment: None })
            );
        }
    }
}
