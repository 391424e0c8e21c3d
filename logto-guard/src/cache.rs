//! The validated-token cache: a token seen before does not pay for its signature again.
//!
//! Only tokens that passed every check are cached, keyed by the full token string. A hit is
//! used only while the very key that verified it is still in the key set (a removed key, or a
//! `kid` reused for another key, sends the token through full validation again); `exp`, `nbf`
//! and the route's audience and scopes are still checked on every request.

use quick_cache::sync::Cache;

use crate::token::AccessToken;

/// A bounded map from token to its verified claims and the fingerprint of its key.
pub(crate) struct TokenCache {
    entries: Cache<String, (AccessToken, u64)>,
}

impl TokenCache {
    /// A cache of at most `capacity` tokens, or `None` when caching is off.
    pub(crate) fn new(capacity: usize) -> Option<Self> {
        (capacity > 0).then(|| Self {
            entries: Cache::new(capacity),
        })
    }

    /// The verified token and its key's fingerprint, if `token` was verified before.
    pub(crate) fn get(&self, token: &str) -> Option<(AccessToken, u64)> {
        self.entries.get(token)
    }

    pub(crate) fn insert(&self, token: &str, verified: AccessToken, key_fingerprint: u64) {
        self.entries
            .insert(token.to_owned(), (verified, key_fingerprint));
    }

    pub(crate) fn remove(&self, token: &str) {
        self.entries.remove(token);
    }
}
