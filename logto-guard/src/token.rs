//! A verified access token and its scopes.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::actor::Actor;
use crate::payload::{self, Claims};
use crate::scopes::Scopes;

/// The `aud` prefix of Logto organization tokens: `urn:logto:organization:<organization id>`.
///
/// ```
/// use logto_guard::ORGANIZATION_AUDIENCE_PREFIX;
///
/// let aud = format!("{ORGANIZATION_AUDIENCE_PREFIX}org-a");
/// assert_eq!(aud, "urn:logto:organization:org-a");
/// ```
pub const ORGANIZATION_AUDIENCE_PREFIX: &str = "urn:logto:organization:";

/// The organization id an `aud` value names, if it is `urn:logto:organization:<id>` with a
/// non-empty id.
pub(crate) fn organization_of_audience(audience: &str) -> Option<&str> {
    audience
        .strip_prefix(ORGANIZATION_AUDIENCE_PREFIX)
        .filter(|id| !id.is_empty())
}

/// A verified Logto access token: signature, `typ`, `iss`, `aud`, `exp` and `nbf` all checked.
///
/// Cheap to clone (one reference count).
#[derive(Clone)]
pub struct AccessToken {
    inner: Arc<Claims>,
}

impl AccessToken {
    pub(crate) fn new(claims: Claims) -> Self {
        Self {
            inner: Arc::new(claims),
        }
    }

    /// An estimate of the heap memory this token holds (the shared claims and everything under
    /// them, with the allocator's overhead), for the token cache's byte budget.
    pub(crate) fn heap_bytes(&self) -> usize {
        // The `Arc` allocation holds its two reference counts beside the claims.
        2 * std::mem::size_of::<usize>() + self.inner.heap_bytes()
    }

    /// `act`: who acts on behalf of the subject, for a token that Logto's token exchange
    /// issued to impersonate a user (RFC 8693); `None` for every other token. A route can
    /// refuse or require such tokens with `#[requires(.., actor = forbidden)]` or
    /// `actor = required`.
    #[must_use]
    pub fn actor(&self) -> Option<&Actor> {
        self.inner.actor.as_ref()
    }

    /// `iss`: the issuer, `<endpoint>/oidc` for Logto.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.inner.iss
    }

    /// `sub`: the user id, or the app id for a machine-to-machine token.
    #[must_use]
    pub fn subject(&self) -> Option<&str> {
        self.inner.sub.as_deref()
    }

    /// `client_id`: the application the token was issued to.
    #[must_use]
    pub fn client_id(&self) -> Option<&str> {
        self.inner.client_id.as_deref()
    }

    /// `aud`: the resource indicators the token is for (Logto issues exactly one).
    #[must_use]
    pub fn audiences(&self) -> &[String] {
        &self.inner.audiences
    }

    /// `scope`: the granted permissions (empty when Logto granted none).
    #[must_use]
    pub fn scopes(&self) -> &Scopes {
        &self.inner.scopes
    }

    /// `exp`, in seconds since the Unix epoch.
    #[must_use]
    pub fn expires_at(&self) -> i64 {
        self.inner.exp
    }

    /// `nbf`, in seconds since the Unix epoch, when present.
    #[must_use]
    pub fn not_before(&self) -> Option<i64> {
        self.inner.nbf
    }

    /// `iat`, in seconds since the Unix epoch, when present.
    #[must_use]
    pub fn issued_at(&self) -> Option<i64> {
        self.inner.iat
    }

    /// `jti`: the token's unique id, when present.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        self.inner.jti.as_deref()
    }

    /// The organization the token is for, of either kind of Logto organization token:
    ///
    /// - an organization token (`aud` = `urn:logto:organization:<id>`): the id in its audience;
    /// - an organization-level API resource token (`aud` = the resource): its
    ///   `organization_id` claim.
    ///
    /// `None` for a token that names no organization, and also for one that names several
    /// different organizations (several organization audiences, or an audience and a claim
    /// that disagree; Logto issues neither): such a token is not for *one* organization.
    #[must_use]
    pub fn organization_id(&self) -> Option<&str> {
        let claim = self.inner.organization_id.as_deref();
        let mut ids = self
            .inner
            .audiences
            .iter()
            .filter_map(|aud| organization_of_audience(aud))
            .chain(claim.filter(|id| !id.is_empty()));
        let first = ids.next()?;
        ids.all(|id| id == first).then_some(first)
    }

    /// Whether this is a Logto organization token: an `aud` of the form
    /// `urn:logto:organization:<id>` (see [`ORGANIZATION_AUDIENCE_PREFIX`]).
    ///
    /// [`ORGANIZATION_AUDIENCE_PREFIX`]: crate::ORGANIZATION_AUDIENCE_PREFIX
    #[must_use]
    pub fn is_organization_token(&self) -> bool {
        self.inner
            .audiences
            .iter()
            .any(|aud| organization_of_audience(aud).is_some())
    }

    /// Whether the token names any organization at all: an `organization_id` claim (whatever
    /// its value) or an audience with the organization prefix. Broader than
    /// [`organization_id`](Self::organization_id), which is `None` for a token naming several,
    /// so that such a token cannot pass for one bound to none.
    pub(crate) fn names_an_organization(&self) -> bool {
        self.inner.organization_id.is_some()
            || self
                .inner
                .audiences
                .iter()
                .any(|aud| aud.starts_with(ORGANIZATION_AUDIENCE_PREFIX))
    }

    /// Every organization the token names, whether or not they agree: the ids of its
    /// organization audiences, then its `organization_id` claim. A revocation for any of them
    /// covers the token.
    pub(crate) fn organizations(&self) -> impl Iterator<Item = &str> {
        self.inner
            .audiences
            .iter()
            .filter_map(|aud| organization_of_audience(aud))
            .chain(
                self.inner
                    .organization_id
                    .as_deref()
                    .filter(|id| !id.is_empty()),
            )
    }

    /// Whether Logto issued this token to a machine-to-machine app (`sub == client_id`).
    #[must_use]
    pub fn is_machine_to_machine(&self) -> bool {
        matches!((&self.inner.sub, &self.inner.client_id), (Some(sub), Some(client)) if sub == client)
    }

    /// Any claim, deserialized as `T`: `None` when absent, `Some(Err(..))` when of another type.
    ///
    /// Reads the payload's JSON text on each call (only the registered claims are kept parsed),
    /// so read a custom claim once per request.
    ///
    /// ```
    /// # fn f(token: &logto_guard::AccessToken) {
    /// let roles: Option<Vec<String>> = token.claim("roles").and_then(Result::ok);
    /// # }
    /// ```
    #[must_use]
    pub fn claim<T: DeserializeOwned>(&self, name: &str) -> Option<Result<T, serde_json::Error>> {
        match payload::member(&self.inner.payload, name) {
            Ok(value) => value.map(T::deserialize),
            // Not reached: the validator parsed this payload with the same rules.
            Err(error) => Some(Err(error)),
        }
    }

    /// The whole payload as the app's own type: its custom claims (and any registered one it
    /// names) in one struct.
    ///
    /// Parses the payload's JSON text on each call, so read it once per request. A claim that
    /// does not fit gives a [`ClaimsError`](crate::ClaimsError) naming its path (`roles[1]`)
    /// and what was wrong, never its value.
    ///
    /// ```
    /// # #[cfg(feature = "testing")]
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use logto_guard::Validator;
    /// use logto_guard::testing::TestIssuer;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct MyClaims {
    ///     sub: String,
    ///     tenant_id: String,
    ///     #[serde(default)]
    ///     roles: Vec<String>,
    /// }
    ///
    /// let issuer = TestIssuer::start().await;
    /// let validator = Validator::new(issuer.config())?;
    /// let token = issuer
    ///     .token()
    ///     .subject("user-1")
    ///     .claim("tenant_id", "t-42")
    ///     .claim("roles", serde_json::json!(["admin"]))
    ///     .sign();
    /// let token = validator.validate(&token).await?;
    ///
    /// let claims: MyClaims = token.claims()?;
    /// assert_eq!(claims.sub, "user-1");
    /// assert_eq!(claims.tenant_id, "t-42");
    /// assert_eq!(claims.roles, ["admin"]);
    /// # Ok(()) }
    /// # #[cfg(feature = "testing")]
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run()).unwrap();
    /// ```
    pub fn claims<T: DeserializeOwned>(&self) -> Result<T, crate::custom_claims::ClaimsError> {
        crate::custom_claims::read(&self.inner.payload)
    }
}

impl fmt::Debug for AccessToken {
    /// Shows who the token is for and what it grants, never the raw token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("sub", &self.inner.sub)
            .field("client_id", &self.inner.client_id)
            .field("aud", &self.inner.audiences)
            .field("scope", &self.inner.scopes)
            .field("exp", &self.inner.exp)
            .finish_non_exhaustive()
    }
}
