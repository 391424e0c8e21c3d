//! OAuth 2.0 Protected Resource Metadata (RFC 9728): the document that tells a client which
//! authorization server issues tokens for an API resource and which scopes it knows, and the
//! well-known URL it is served at.
//!
//! The Rocket fairing serves it when [`Config::resource_metadata`](crate::Config) is on; these
//! items build the same document and URL for any framework.
//!
//! ```
//! use logto_guard::metadata::{ProtectedResourceMetadata, metadata_url};
//!
//! let document = ProtectedResourceMetadata::new(
//!     "https://api.example.com/v1",
//!     "https://my-tenant.logto.app/oidc",
//!     ["write:orders", "read:orders"],
//! );
//! assert_eq!(
//!     document.to_json(),
//!     r#"{"resource":"https://api.example.com/v1","authorization_servers":["https://my-tenant.logto.app/oidc"],"scopes_supported":["read:orders","write:orders"],"bearer_methods_supported":["header"]}"#
//! );
//! assert_eq!(
//!     metadata_url("https://api.example.com/v1", None)?,
//!     "https://api.example.com/.well-known/oauth-protected-resource/v1"
//! );
//! # Ok::<(), logto_guard::metadata::MetadataError>(())
//! ```

use serde::Serialize;
use url::Url;

/// The well-known path of RFC 9728 §3: the metadata of `https://host/path` is at
/// `https://host/.well-known/oauth-protected-resource/path`.
pub const WELL_KNOWN_PATH: &str = "/.well-known/oauth-protected-resource";

/// The metadata document of one protected resource (RFC 9728 §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ProtectedResourceMetadata {
    /// The resource indicator, exactly as registered in Logto: the `resource` a client asks
    /// Logto's token endpoint for, and the `aud` of the tokens this API accepts.
    pub resource: String,
    /// The issuers whose tokens this API accepts: Logto's `<endpoint>/oidc`, then each custom
    /// domain's `<domain>/oidc` (the fairing lists every issuer of its validator; add others
    /// to a document built with [`new`](Self::new) by pushing them here).
    pub authorization_servers: Vec<String>,
    /// The permissions the code declares for this resource, sorted.
    pub scopes_supported: Vec<String>,
    /// How a token is sent: only in the `Authorization` header.
    pub bearer_methods_supported: Vec<String>,
}

impl ProtectedResourceMetadata {
    /// The document for `resource`, whose tokens `issuer` signs, with these scopes (sorted and
    /// deduplicated here).
    #[must_use]
    pub fn new<'a>(
        resource: impl Into<String>,
        issuer: impl Into<String>,
        scopes: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let mut scopes: Vec<String> = scopes.into_iter().map(str::to_owned).collect();
        scopes.sort();
        scopes.dedup();
        Self {
            resource: resource.into(),
            authorization_servers: vec![issuer.into()],
            scopes_supported: scopes,
            bearer_methods_supported: vec!["header".to_owned()],
        }
    }

    /// The document as compact JSON, the body served at the metadata URL.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Strings and arrays of strings only: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Why no metadata URL can be derived for a resource.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MetadataError {
    /// The resource indicator is not an `http(s)` URL (e.g. a URN) and no public URL is set.
    #[error(
        "resource `{0}` is not an http(s) URL, so its metadata URL cannot be derived from it: set \
         `public_url` to the origin clients reach this API at"
    )]
    NotAUrl(String),
    /// The resource indicator has a query, which RFC 9728 does not place in a metadata URL.
    #[error(
        "resource `{0}` has a query; RFC 9728 metadata is served only for resource indicators \
         without one"
    )]
    ResourceWithQuery(String),
    /// The public URL is not an origin (see `Config::check`).
    #[error(
        "`public_url` must be the origin clients reach this API at, such as \
         https://api.example.com: http(s), with no path, query or fragment"
    )]
    InvalidPublicUrl,
}

/// The absolute URL of `resource`'s metadata (RFC 9728 §3.1): the well-known path inserted
/// between the origin and the indicator's path, with a lone `/` path dropped. The origin is
/// `public_url`'s when given, else the indicator's.
///
/// ```
/// use logto_guard::metadata::{MetadataError, metadata_url};
///
/// assert_eq!(
///     metadata_url("https://api.example.com", None)?,
///     "https://api.example.com/.well-known/oauth-protected-resource"
/// );
/// assert_eq!(
///     metadata_url("https://api.example.com/v1", Some("http://127.0.0.1:8000"))?,
///     "http://127.0.0.1:8000/.well-known/oauth-protected-resource/v1"
/// );
/// assert_eq!(
///     metadata_url("urn:example:orders", Some("https://orders.example.com"))?,
///     "https://orders.example.com/.well-known/oauth-protected-resource"
/// );
/// assert!(matches!(
///     metadata_url("urn:example:orders", None),
///     Err(MetadataError::NotAUrl(_))
/// ));
/// # Ok::<(), MetadataError>(())
/// ```
pub fn metadata_url(resource: &str, public_url: Option<&str>) -> Result<String, MetadataError> {
    let indicator = Url::parse(resource)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host());
    if indicator.as_ref().is_some_and(|url| url.query().is_some()) {
        return Err(MetadataError::ResourceWithQuery(resource.to_owned()));
    }
    let path = indicator
        .as_ref()
        .map_or("", |url| url.path())
        .trim_start_matches('/');
    let origin = match (public_url, &indicator) {
        (Some(public), _) => Url::parse(public)
            .ok()
            .filter(|url| url.has_host())
            .ok_or(MetadataError::InvalidPublicUrl)?
            .origin(),
        (None, Some(url)) => url.origin(),
        (None, None) => return Err(MetadataError::NotAUrl(resource.to_owned())),
    };
    let mut url = format!("{}{WELL_KNOWN_PATH}", origin.ascii_serialization());
    if !path.is_empty() {
        url.push('/');
        url.push_str(path);
    }
    Ok(url)
}
