//! The validated-token cache: a token seen before does not pay for its signature again.
//!
//! Only tokens that passed every check are cached, keyed by the full token string. A hit is
//! used only while the very key that verified it is still in the key set (a removed key, or a
//! `kid` reused for another key, sends the token through full validation again); `exp`, `nbf`
//! and the route's audience and scopes are still checked on every request.
//!
//! The cache is bounded in bytes, not entries: each entry weighs what it holds in memory (the
//! token string, its parsed claims, and the cache's own bookkeeping), so a large token takes
//! the room of several small ones and the budget holds whatever the tokens look like.

use quick_cache::Weighter;
use quick_cache::sync::Cache;

use crate::token::AccessToken;

/// A bounded map from token to its verified claims and the fingerprint of its key.
pub(crate) struct TokenCache {
    entries: Cache<String, Entry, EntryWeighter>,
}

#[derive(Clone)]
struct Entry {
    token: AccessToken,
    key_fingerprint: u64,
    /// Computed once at insertion: the weigher runs during eviction and must be cheap.
    weight: u64,
}

#[derive(Clone)]
struct EntryWeighter;

impl Weighter<String, Entry> for EntryWeighter {
    fn weight(&self, _token: &String, entry: &Entry) -> u64 {
        entry.weight
    }
}

/// What quick_cache keeps per entry besides key and value (hash table slot, hot/cold ring
/// links, reference state), measured with `bench/cache-memory.sh`.
const BOOKKEEPING_BYTES: usize = 64;

/// Typical weight of a Logto access token's entry, to size the hash table from the budget.
const TYPICAL_ENTRY_BYTES: usize = 3 * 1024;

impl TokenCache {
    /// A cache of at most `budget` bytes of entries, or `None` when caching is off.
    pub(crate) fn new(budget: usize) -> Option<Self> {
        (budget > 0).then(|| Self {
            entries: Cache::with_weighter(
                (budget / TYPICAL_ENTRY_BYTES).max(1),
                u64::try_from(budget).unwrap_or(u64::MAX),
                EntryWeighter,
            ),
        })
    }

    /// The verified token and its key's fingerprint, if `token` was verified before.
    pub(crate) fn get(&self, token: &str) -> Option<(AccessToken, u64)> {
        self.entries
            .get(token)
            .map(|entry| (entry.token, entry.key_fingerprint))
    }

    pub(crate) fn insert(&self, token: &str, verified: AccessToken, key_fingerprint: u64) {
        let weight = std::mem::size_of::<(String, Entry)>()
            + BOOKKEEPING_BYTES
            + token.len()
            + verified.heap_bytes();
        self.entries.insert(
            token.to_owned(),
            Entry {
                token: verified,
                key_fingerprint,
                weight: u64::try_from(weight).unwrap_or(u64::MAX),
            },
        );
    }

    pub(crate) fn remove(&self, token: &str) {
        self.entries.remove(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{Claims, Scopes};

    /// A verified token as the validator builds it from `payload`, and a token string of
    /// `token_bytes` bytes.
    fn entry(scopes: usize, token_bytes: usize) -> (String, AccessToken) {
        let scope: Vec<String> = (0..scopes)
            .map(|i| format!("read:resource-{i:04}"))
            .collect();
        let scope = scope.join(" ");
        let payload = serde_json::json!({
            "jti": "a1b2c3d4e5f6a1b2c3d4e5f6",
            "iss": "http://127.0.0.1:40000/oidc",
            "sub": "m2m-app-7w2kq9x4",
            "client_id": "m2m-app-7w2kq9x4",
            "aud": "https://api.example.com",
            "iat": 1_800_000_000,
            "exp": 1_800_003_600,
            "scope": scope,
        });
        let serde_json::Value::Object(payload) = payload else {
            unreachable!("built with json!({{...}})")
        };
        let claims = Claims {
            iss: "http://127.0.0.1:40000/oidc".to_owned(),
            sub: Some("m2m-app-7w2kq9x4".to_owned()),
            client_id: Some("m2m-app-7w2kq9x4".to_owned()),
            audiences: vec!["https://api.example.com".to_owned()],
            scopes: Scopes::parse(&scope),
            exp: 1_800_003_600,
            nbf: None,
            iat: Some(1_800_000_000),
            jti: Some("a1b2c3d4e5f6a1b2c3d4e5f6".to_owned()),
            organization_id: None,
            payload,
        };
        ("t".repeat(token_bytes), AccessToken::new(claims))
    }

    fn weight(entry: &(String, AccessToken)) -> u64 {
        let cache = TokenCache::new(1 << 30).expect("a cache");
        cache.insert(&entry.0, entry.1.clone(), 7);
        cache.entries.weight()
    }

    /// Resident memory per cached token measured by `bench/cache-memory.sh` (RSS growth over
    /// thousands of distinct tokens): a Logto-shaped machine-to-machine token of 490 bytes, and
    /// a 16 KiB token carrying 629 scopes.
    const MEASURED_TYPICAL: u64 = 2_374;
    const MEASURED_16K: u64 = 69_575;

    #[test]
    fn an_entry_weighs_what_it_holds_in_memory() {
        for (entry, measured) in [
            (entry(3, 490), MEASURED_TYPICAL),
            (entry(629, 16_372), MEASURED_16K),
        ] {
            let weight = weight(&entry);
            assert!(
                weight.abs_diff(measured) * 10 <= measured,
                "weight {weight} is not within 10% of the measured {measured} bytes"
            );
        }
    }

    #[test]
    fn the_budget_bounds_bytes_whatever_the_tokens_weigh() {
        let budget = 1024 * 1024;
        let cache = TokenCache::new(budget).expect("a cache");
        let (large, verified) = entry(629, 16_372);
        for i in 0..100 {
            cache.insert(&format!("{large}{i}"), verified.clone(), 7);
        }
        let weight = cache.entries.weight();
        assert!(
            weight <= budget as u64,
            "{weight} bytes over a {budget}-byte budget"
        );
        assert!(
            cache.entries.len() <= 16,
            "{} large tokens in 1 MiB",
            cache.entries.len()
        );
        let (small, verified) = entry(3, 490);
        for i in 0..1000 {
            cache.insert(&format!("{small}{i}"), verified.clone(), 7);
        }
        assert!(cache.entries.weight() <= budget as u64);
        assert!(
            cache.entries.len() >= 300,
            "{} small tokens in 1 MiB",
            cache.entries.len()
        );
    }
}
