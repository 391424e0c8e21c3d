//! A verified access token and its scopes.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;

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

/// The claims of a verified token, checked for type by the validator.
pub(crate) struct Claims {
    /// Shared with the validator, which checked that the token's `iss` is exactly this.
    pub(crate) iss: Arc<str>,
    pub(crate) sub: Option<Box<str>>,
    pub(crate) client_id: Option<Box<str>>,
    pub(crate) audiences: Vec<String>,
    pub(crate) scopes: Scopes,
    pub(crate) exp: i64,
    pub(crate) nbf: Option<i64>,
    pub(crate) iat: Option<i64>,
    pub(crate) jti: Option<Box<str>>,
    pub(crate) organization_id: Option<Box<str>>,
    /// The verified payload's JSON text, for [`AccessToken::claim`].
    pub(crate) payload: Box<str>,
}

impl AccessToken {
    pub(crate) fn new(claims: Claims) -> Self {
        Self {
            inner: Arc::new(claims),
        }
    }

    /// An estimate of the heap memory this token's claims hold (the shared `Claims` and every
    /// string, vector and map node under it, with the allocator's overhead), for the token
    /// cache's byte budget.
    pub(crate) fn heap_bytes(&self) -> usize {
        let claims = &*self.inner;
        let strings = [
            claims.sub.as_deref(),
            claims.client_id.as_deref(),
            claims.jti.as_deref(),
            claims.organization_id.as_deref(),
            Some(&claims.payload),
        ];
        let scopes = &claims.scopes.0;
        // The `Arc` allocation: its two reference counts and the claims. `iss` is the
        // validator's, shared.
        2 * std::mem::size_of::<usize>()
            + std::mem::size_of::<Claims>()
            + PER_ALLOCATION
            + strings
                .into_iter()
                .flatten()
                .map(str_heap_bytes)
                .sum::<usize>()
            + claims.audiences.capacity() * std::mem::size_of::<String>()
            + PER_ALLOCATION
            + claims
                .audiences
                .iter()
                .map(|aud| str_heap_bytes(aud))
                .sum::<usize>()
            + std::mem::size_of_val::<[Box<str>]>(scopes)
            + PER_ALLOCATION
            + scopes
                .iter()
                .map(|scope| str_heap_bytes(scope))
                .sum::<usize>()
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
        match crate::payload::member(&self.inner.payload, name) {
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
    pub fn claims<T: DeserializeOwned>(&self) -> Result<T, crate::ClaimsError> {
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

/// The permissions a token grants: the space-delimited `scope` claim (RFC 6749 §3.3).
///
/// Scope names are case-sensitive.
///
/// ```
/// use logto_guard::Scopes;
///
/// let scopes = Scopes::parse("read:orders  write:orders");
/// assert!(scopes.contains("read:orders"));
/// assert!(!scopes.contains("Read:orders"));
/// assert_eq!(scopes.iter().count(), 2);
/// assert_eq!(scopes.to_string(), "read:orders write:orders");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Scopes(Box<[Box<str>]>);

impl Scopes {
    /// Splits a `scope` claim on spaces; repeated spaces are tolerated.
    #[must_use]
    pub fn parse(scope: &str) -> Self {
        Self(
            scope
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(Box::from)
                .collect(),
        )
    }

    /// Whether `scope` was granted (exact, case-sensitive match).
    #[must_use]
    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| **s == *scope)
    }

    /// Whether every one of `scopes` was granted.
    #[must_use]
    pub fn contains_all<'a>(&self, mut scopes: impl Iterator<Item = &'a str>) -> bool {
        scopes.all(|s| self.contains(s))
    }

    /// Whether at least one of `scopes` was granted.
    #[must_use]
    pub fn contains_any<'a>(&self, mut scopes: impl Iterator<Item = &'a str>) -> bool {
        scopes.any(|s| self.contains(s))
    }

    /// The granted scopes, in the token's order.
    pub fn iter(&self) -> ScopesIter<'_> {
        ScopesIter(self.0.iter())
    }

    /// How many scopes were granted.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no scope was granted.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The scopes of a [`Scopes`], in the token's order.
#[derive(Clone, Debug)]
pub struct ScopesIter<'a>(std::slice::Iter<'a, Box<str>>);

impl<'a> Iterator for ScopesIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.0.next().map(|scope| &**scope)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl ExactSizeIterator for ScopesIter<'_> {}

impl<'a> IntoIterator for &'a Scopes {
    type Item = &'a str;
    type IntoIter = ScopesIter<'a>;

    fn into_iter(self) -> ScopesIter<'a> {
        self.iter()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// What the allocator adds to each allocation (glibc: an 8-byte header, and rounding up to 16
/// bytes, 8 on average).
const PER_ALLOCATION: usize = 16;

fn str_heap_bytes(string: &str) -> usize {
    match string.len() {
        0 => 0,
        len => len + PER_ALLOCATION,
    }
}
