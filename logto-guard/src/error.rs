//! Why a request was refused, and what that means over HTTP (RFC 6750 §3).

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// A rejected request: every row of the error table, with its RFC 6750 meaning.
///
/// Descriptions ([`Display`](std::fmt::Display)) name the failed check and never contain the
/// token, a key or a claim value, so they are safe to send to the client and to log.
///
/// ```
/// use logto_guard::AuthError;
///
/// let err = AuthError::Expired;
/// assert_eq!(err.status(), 401);
/// assert_eq!(err.code(), Some("invalid_token"));
/// assert_eq!(err.to_string(), "token expired");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No `Authorization` header, or one with another scheme such as `Basic` (RFC 6750 §3.1).
    #[error("bearer token required")]
    MissingCredentials,
    /// The `Authorization` header is present but is not one well-formed Bearer credential.
    #[error("malformed Authorization header: {0}")]
    MalformedCredentials(&'static str),
    /// The token is not a compact JWS.
    #[error(
        "token is not a JWT; Logto issues an opaque access token when the client does not \
         request a `resource`, so ask for a token with `resource` set to this API's indicator"
    )]
    NotAJwt,
    /// The token is JWT-shaped, but a part of it cannot be decoded.
    #[error("malformed token: {0}")]
    MalformedToken(&'static str),
    /// The header names an algorithm that is never accepted (`none`, HMAC, unknown) or that
    /// the configuration does not allow.
    #[error("token algorithm not accepted")]
    AlgorithmNotAllowed,
    /// The header `typ` is not `at+jwt` (RFC 9068 §2.1).
    #[error("token type must be at+jwt")]
    WrongType,
    /// The header lists a critical extension this validator does not understand (RFC 7515 §4.1.11).
    #[error("token header has unsupported critical extensions")]
    UnsupportedCritical,
    /// No key in the issuer's key set has the token's `kid`, even after a refresh.
    #[error("token signed by an unknown key")]
    UnknownKey,
    /// The token has no `kid` and more than one key could have signed it.
    #[error("token has no kid and several keys match its algorithm")]
    AmbiguousKey,
    /// The header `alg` does not belong to the family of the key named by `kid`.
    #[error("token algorithm does not match its key")]
    AlgorithmKeyMismatch,
    /// The signature does not verify.
    #[error("invalid token signature")]
    InvalidSignature,
    /// A claim the validator needs is missing.
    #[error("token has no `{0}` claim")]
    MissingClaim(&'static str),
    /// A claim has the wrong JSON type or an impossible value.
    #[error("token claim `{claim}` must be {expected}")]
    InvalidClaim {
        /// The claim's name.
        claim: &'static str,
        /// What it must be, e.g. "an integer NumericDate".
        expected: &'static str,
    },
    /// `iss` is not the configured issuer, when only one is trusted. Checked before any key
    /// lookup, so that a token of another Logto (another port, `localhost` for `127.0.0.1`)
    /// says so instead of "unknown key", and starts no key refetch. The description names the
    /// expected issuer, which is public (it is in the metadata), never the token's.
    #[error("issuer mismatch: this API accepts tokens issued by {expected}")]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
    },
    /// `iss` is none of the trusted issuers, when several are (custom domains, extra
    /// issuers): checked like [`IssuerMismatch`](Self::IssuerMismatch), before anything is
    /// fetched. The description names neither the token's issuer nor the list of trusted ones.
    #[error("token issuer is not trusted")]
    UntrustedIssuer,
    /// `aud` does not contain the resource this API expects. The description says what kind
    /// of audience was expected, never which resource indicators are accepted: a 401 must not
    /// tell any caller which APIs exist.
    #[error("audience mismatch: {expected}")]
    AudienceMismatch {
        /// What kind of token was expected.
        expected: ExpectedAudience,
    },
    /// `exp` is in the past (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("token not yet valid")]
    NotYetValid,
    /// A valid token that lacks a scope the route requires.
    #[error("{}", insufficient_scope_description(required, *any))]
    InsufficientScope {
        /// The scopes the route requires, space-separated as in the `scope` challenge attribute.
        required: String,
        /// `true` when any one of `required` suffices, `false` when all are needed.
        any: bool,
    },
    /// A valid token for this API that is not for an organization (no `organization_id`
    /// claim, no `urn:logto:organization:<id>` audience, or several different ones), on a
    /// route that needs one.
    ///
    /// 403 `insufficient_scope`, like [`OrganizationMismatch`](Self::OrganizationMismatch):
    /// the token is authentic but its grant does not reach the organization's data; the
    /// client must request a token with `organization_id` (Logto then checks membership).
    #[error("token is not for an organization: request it with `organization_id`")]
    OrganizationRequired,
    /// A valid token for one organization used on a route of another: the token's
    /// organization differs from the one the route names (e.g. its `<org_id>` segment).
    ///
    /// 403 `insufficient_scope`, not 401 `invalid_token`: the token is authentic, unexpired
    /// and issued for this API; only its grant does not cover the organization asked for,
    /// exactly as a missing scope does not. A 401 would tell the client that its credentials
    /// are bad, and a client that refreshes on 401 would get a token for the same
    /// organization and loop; a 403 tells it to ask Logto for a token for the other
    /// organization (which Logto grants only to its members).
    ///
    /// The description names the route segment (from the code), never the token's
    /// organization id (a claim value).
    #[error("{}", organization_mismatch_description(*segment))]
    OrganizationMismatch {
        /// The name of the route's path segment that holds the organization id, when the
        /// check was made against a route (`Some("org_id")` for `<org_id>`).
        segment: Option<&'static str>,
    },
    /// A token bound to an organization (an organization-level API resource token, with an
    /// `organization_id` claim) on a route that is not for an organization.
    ///
    /// 403 `insufficient_scope`: the scopes of such a token come from the caller's role in
    /// that one organization, so they do not grant tenant-wide access. The description never
    /// names the organization (a claim value).
    #[error(
        "token is bound to an organization, but this route is not for an organization: \
         request a token without `organization_id`"
    )]
    OrganizationNotAllowed,
    /// A user's token on a route that accepts only machine-to-machine tokens.
    ///
    /// 403 `insufficient_scope`: the token is valid but issued to the wrong kind of client.
    #[error("this route accepts only machine-to-machine tokens")]
    MachineToMachineRequired,
    /// A machine-to-machine token on a route that accepts only users' tokens.
    ///
    /// 403 `insufficient_scope`: the token is valid but issued to the wrong kind of client.
    #[error("this route accepts only user tokens, not machine-to-machine tokens")]
    UserRequired,
    /// A token issued on behalf of another user (it carries `act`: Logto's impersonation) on a
    /// route that refuses such tokens.
    ///
    /// 403 `insufficient_scope`. The description never names the actor.
    #[error("this route does not accept tokens issued on behalf of another user")]
    ActorNotAllowed,
    /// A token without `act` on a route that accepts only tokens issued on behalf of another
    /// user.
    ///
    /// 403 `insufficient_scope`.
    #[error("this route accepts only tokens issued on behalf of another user")]
    ActorRequired,
    /// A token whose `client_id` is not in the route's client group
    /// (`#[requires(clients = "billing", ..)]`, [`ClientGroup`](crate::ClientGroup)), or that
    /// has no `client_id`.
    ///
    /// 403 `insufficient_scope`: the token is valid but issued to an application this route
    /// does not accept. The description names the group (from the code), never the token's
    /// client id.
    #[error("this route accepts only the clients of group `{group}`")]
    ClientNotAllowed {
        /// The client group's name.
        group: String,
    },
    /// The route's custom check (`#[requires(check = ..)]`, [`CustomCheck`](crate::CustomCheck))
    /// refused the token, saying why.
    ///
    /// 403 `insufficient_scope`, described by the check's [`Denied`](crate::Denied).
    #[error("{0}")]
    Denied(Denied),
    /// A valid token that a revocation covers: its user was suspended or deleted, it is for an
    /// organization its user or app was removed from, or for a deleted organization, after it
    /// was issued (see [`revocation`](crate::revocation)). 401 `invalid_token`: the client must
    /// get a new token, which Logto refuses where access ended.
    #[error("token was revoked")]
    Revoked,
    /// The issuer's keys have never been fetched and fetching them failed.
    #[error("signing keys unavailable; retry later")]
    KeysUnavailable {
        /// How long the client should wait before retrying.
        retry_after: Duration,
    },
    /// The server is misconfigured: the guard runs without the fairing, a hand-written
    /// [`Requirement`](crate::Requirement) names a route segment the matched route lacks or a
    /// client group the config lacks, a [`Policy`](crate::Policy) for a client group is checked
    /// without the group's ids ([`ClientsMatch::Named`](crate::ClientsMatch::Named)), or a
    /// [`Policy`](crate::Policy) for a route segment's organization is checked without that
    /// segment's value ([`OrganizationMatch::Segment`](crate::OrganizationMatch::Segment))
    /// (logged).
    #[error("authorization is not configured on this server")]
    NotConfigured,
}

/// Why a [`CustomCheck`](crate::CustomCheck) refused a token: a 403 `insufficient_scope` whose
/// `error_description` is this description ([`AuthError::Denied`]).
///
/// The description goes to the client and into the logs: the app's own words, never a claim
/// value. Characters a challenge cannot carry (`"`, `\`, non-ASCII) are replaced there.
///
/// ```
/// use logto_guard::{AccessToken, Denied};
///
/// fn gold_plan(token: &AccessToken) -> Result<(), Denied> {
///     match token.claim::<String>("plan") {
///         Some(Ok(plan)) if plan == "gold" => Ok(()),
///         _ => Err(Denied::new("this route needs the gold plan")),
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    description: Cow<'static, str>,
}

impl Denied {
    /// A refusal described by `description`.
    #[must_use]
    pub fn new(description: impl Into<Cow<'static, str>>) -> Self {
        Self {
            description: description.into(),
        }
    }

    /// What the refusal says.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.description
    }
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

/// What an [`AuthError::AudienceMismatch`] says the token should have been for: the kind of
/// audience, never which resource indicators this API accepts.
///
/// ```
/// use logto_guard::{AuthError, ExpectedAudience};
///
/// let err = AuthError::AudienceMismatch { expected: ExpectedAudience::ThisApi };
/// assert_eq!(err.to_string(), "audience mismatch: the token is not for this API");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExpectedAudience {
    /// One of this API's resource indicators; which ones is not said.
    ThisApi,
    /// A Logto organization token (`aud` = `urn:logto:organization:<id>`).
    Organization,
}

impl fmt::Display for ExpectedAudience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ThisApi => "the token is not for this API",
            Self::Organization => {
                "this API expects a token for an organization (urn:logto:organization:<id>)"
            }
        })
    }
}

fn organization_mismatch_description(segment: Option<&str>) -> String {
    match segment {
        Some(segment) => {
            format!("token is for another organization than the route's `<{segment}>`")
        }
        None => "token is for another organization".to_owned(),
    }
}

fn insufficient_scope_description(required: &str, any: bool) -> String {
    if any {
        format!("token lacks a required scope: one of {required}")
    } else {
        format!("token lacks a required scope: {required}")
    }
}

impl AuthError {
    /// The HTTP status this rejection answers with.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::MalformedCredentials(_) => 400,
            _ if self.is_insufficient_scope() => 403,
            Self::KeysUnavailable { .. } => 503,
            Self::NotConfigured => 500,
            _ => 401,
        }
    }

    /// The RFC 6750 `error` code, or `None` where the table has none (no credentials, 503, 500).
    #[must_use]
    pub fn code(&self) -> Option<&'static str> {
        match self {
            Self::MissingCredentials | Self::KeysUnavailable { .. } | Self::NotConfigured => None,
            Self::MalformedCredentials(_) => Some("invalid_request"),
            _ if self.is_insufficient_scope() => Some("insufficient_scope"),
            _ => Some("invalid_token"),
        }
    }

    /// The stable label of a rejection: the snake-case name of its [`AuthError`] variant, with
    /// no value in it; the metrics label rejections with it (`"expired"`, `"insufficient_scope"`, `"keys_unavailable"`, ...).
    ///
    /// ```
    /// use logto_guard::AuthError;
    ///
    /// assert_eq!(AuthError::Expired.reason(), "expired");
    /// assert_eq!(AuthError::MissingClaim("exp").reason(), "missing_claim");
    /// assert_eq!(AuthError::Revoked.reason(), "revoked");
    /// assert_eq!(AuthError::Revoked.status(), 401);
    /// assert_eq!(AuthError::Revoked.code(), Some("invalid_token"));
    /// assert_eq!(AuthError::Revoked.to_string(), "token was revoked");
    /// ```
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Self::MissingCredentials => "missing_credentials",
            Self::MalformedCredentials(_) => "malformed_credentials",
            Self::NotAJwt => "not_a_jwt",
            Self::MalformedToken(_) => "malformed_token",
            Self::AlgorithmNotAllowed => "algorithm_not_allowed",
            Self::WrongType => "wrong_type",
            Self::UnsupportedCritical => "unsupported_critical",
            Self::UnknownKey => "unknown_key",
            Self::AmbiguousKey => "ambiguous_key",
            Self::AlgorithmKeyMismatch => "algorithm_key_mismatch",
            Self::InvalidSignature => "invalid_signature",
            Self::MissingClaim(_) => "missing_claim",
            Self::InvalidClaim { .. } => "invalid_claim",
            Self::IssuerMismatch { .. } => "issuer_mismatch",
            Self::UntrustedIssuer => "untrusted_issuer",
            Self::AudienceMismatch { .. } => "audience_mismatch",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::Revoked => "revoked",
            Self::InsufficientScope { .. } => "insufficient_scope",
            Self::OrganizationRequired => "organization_required",
            Self::OrganizationMismatch { .. } => "organization_mismatch",
            Self::OrganizationNotAllowed => "organization_not_allowed",
            Self::MachineToMachineRequired => "machine_to_machine_required",
            Self::UserRequired => "user_required",
            Self::ActorNotAllowed => "actor_not_allowed",
            Self::ActorRequired => "actor_required",
            Self::ClientNotAllowed { .. } => "client_not_allowed",
            Self::Denied(_) => "denied",
            Self::KeysUnavailable { .. } => "keys_unavailable",
            Self::NotConfigured => "not_configured",
        }
    }

    /// A valid token that this route does not accept (RFC 6750 `insufficient_scope`, 403):
    /// it lacks a scope, is for another organization or context, or is of the wrong kind.
    fn is_insufficient_scope(&self) -> bool {
        matches!(
            self,
            Self::InsufficientScope { .. }
                | Self::OrganizationRequired
                | Self::OrganizationMismatch { .. }
                | Self::OrganizationNotAllowed
                | Self::MachineToMachineRequired
                | Self::UserRequired
                | Self::ActorNotAllowed
                | Self::ActorRequired
                | Self::ClientNotAllowed { .. }
                | Self::Denied(_)
        )
    }

    /// The `scope` attribute of the challenge: the scopes the route needs, for 403 only.
    #[must_use]
    pub fn required_scope(&self) -> Option<&str> {
        match self {
            Self::InsufficientScope { required, .. } if !required.is_empty() => Some(required),
            _ => None,
        }
    }

    /// How long to wait before retrying, for 503 only.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::KeysUnavailable { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// The `WWW-Authenticate` value for this rejection (RFC 6750 §3), or `None` for the 500.
    ///
    /// ```
    /// use logto_guard::AuthError;
    ///
    /// assert_eq!(
    ///     AuthError::MissingCredentials.challenge("api").as_deref(),
    ///     Some(r#"Bearer realm="api""#)
    /// );
    /// assert_eq!(
    ///     AuthError::Expired.challenge("api").as_deref(),
    ///     Some(r#"Bearer realm="api", error="invalid_token", error_description="token expired""#)
    /// );
    /// ```
    #[must_use]
    pub fn challenge(&self, realm: &str) -> Option<String> {
        if matches!(self, Self::NotConfigured) {
            return None;
        }
        let mut value = format!("Bearer realm=\"{}\"", quoted_string_content(realm));
        if let Some(code) = self.code() {
            value.push_str(&format!(
                ", error=\"{code}\", error_description=\"{}\"",
                quoted_string_content(&self.to_string())
            ));
        }
        if let Some(scope) = self.required_scope() {
            value.push_str(&format!(", scope=\"{}\"", quoted_string_content(scope)));
        }
        Some(value)
    }
}

/// Makes `text` safe inside an RFC 9110 quoted-string: RFC 6750 §3 limits `error_description`
/// to printable ASCII without `"` and `\`, so those are replaced rather than escaped.
fn quoted_string_content(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' | '\\' => '\'',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}
