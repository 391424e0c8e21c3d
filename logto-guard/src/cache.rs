//! The validated-token cache: a token seen before does not pay for its signature again.
//!
//! Only tokens that passed every check are cached, keyed by the SHA-256 digest of the full
//! token: a hit needs the very same token (a second preimage of SHA-256 is out of reach), and
//! the cache holds no bearer token an attacker could lift from a memory dump. A hit is
//! used only while the very key that verified it is still in the key set (a removed key, or a
//! `kid` reused for another key, sends the token through full validation again); `exp`, `nbf`
//! and the route's audience and scopes are still checked on every request.
//!
//! The cache is bounded in bytes, not entries: each entry weighs what it holds in memory (its
//! parsed claims and payload text, and the cache's own bookkeeping), so a large token takes
//! the room of several small ones and the budget holds whatever the tokens look like.

use aws_lc_rs::digest;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

use crate::token::AccessToken;

/// A bounded map from token to its verified claims and the fingerprint of its key.
pub(crate) struct TokenCache {
    entries: Cache<TokenDigest, Entry, EntryWeighter>,
}

/// What the cache knows a token by: the SHA-256 digest of the whole compact JWS.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TokenDigest([u8; 32]);

impl TokenDigest {
    pub(crate) fn of(token: &str) -> Self {
        let mut digest_bytes = [0; 32];
        digest_bytes.copy_from_slice(digest::digest(&digest::SHA256, token.as_bytes()).as_ref());
        Self(digest_bytes)
    }
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

impl Weighter<TokenDigest, Entry> for EntryWeighter {
    fn weight(&self, _token: &TokenDigest, entry: &Entry) -> u64 {
        entry.weight
    }
}

/// What quick_cache keeps per entry besides key and value (hash table slot, hot/cold ring
/// links, reference state), measured with `bench/cache-memory.sh`.
const BOOKKEEPING_BYTES: usize = 64;

/// Typical weight of a Logto access token's entry, to size the hash table from the budget.
const TYPICAL_ENTRY_BYTES: usize = 1024;

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
    pub(crate) fn get(&self, token: &TokenDigest) -> Option<(AccessToken, u64)> {
        self.entries
            .get(token)
            .map(|entry| (entry.token, entry.key_fingerprint))
    }

    pub(crate) fn insert(&self, token: TokenDigest, verified: AccessToken, key_fingerprint: u64) {
        let weight =
            std::mem::size_of::<(TokenDigest, Entry)>() + BOOKKEEPING_BYTES + verified.heap_bytes();
        self.entries.insert(
            token,
            Entry {
                token: verified,
                key_fingerprint,
                weight: u64::try_from(weight).unwrap_or(u64::MAX),
            },
        );
    }

    pub(crate) fn remove(&self, token: &TokenDigest) {
        self.entries.remove(token);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    /// A verified token as the validator builds it from a payload shaped like those of
    /// `examples/token_cache_memory.rs`: a Logto machine-to-machine token with `scopes`.
    fn verified<'a>(scopes: impl IntoIterator<Item = &'a str>) -> AccessToken {
        let issuer: Arc<str> = Arc::from("http://127.0.0.1:40000/oidc");
        let payload = serde_json::json!({
            "jti": "a1b2c3d4e5f6a1b2c3d4e5f6",
            "iss": &*issuer,
            "sub": "m2m-app-7w2kq9x4",
            "client_id": "m2m-app-7w2kq9x4",
            "aud": "https://api.example.com",
            "scope": scopes.into_iter().collect::<Vec<_>>().join(" "),
            "iat": 1_800_000_000,
            "exp": 1_800_003_600,
        });
        let claims = crate::payload::parse(payload.to_string().into_bytes(), &[issuer]);
        AccessToken::new(claims.expect("a valid payload"))
    }

    fn typical() -> AccessToken {
        verified(["read:orders", "write:orders", "delete:orders"])
    }

    /// The 629 scopes that make the example's largest token 16 KiB.
    fn largest() -> AccessToken {
        let scopes: Vec<String> = (0..629).map(|i| format!("read:resource-{i:04}")).collect();
        verified(scopes.iter().map(String::as_str))
    }

    fn weight(verified: &AccessToken) -> u64 {
        let cache = TokenCache::new(1 << 30).expect("a cache");
        cache.insert(TokenDigest::of("token"), verified.clone(), 7);
        cache.entries.weight()
    }

    /// Resident memory per cached token measured by `bench/cache-memory.sh` (RSS growth over
    /// thousands of distinct tokens): a Logto-shaped machine-to-machine token of 490 bytes with
    /// 3 scopes, and a 16 KiB token carrying 629 scopes.
    const MEASURED_TYPICAL: u64 = 879;
    const MEASURED_16K: u64 = 42_977;

    #[test]
    fn an_entry_weighs_what_it_holds_in_memory() {
        for (verified, measured) in [(typical(), MEASURED_TYPICAL), (largest(), MEASURED_16K)] {
            let weight = weight(&verified);
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
        let large = largest();
        for i in 0..1000 {
            cache.insert(TokenDigest::of(&format!("large-{i}")), large.clone(), 7);
        }
        let weight = cache.entries.weight();
        assert!(
            weight <= budget as u64,
            "{weight} bytes over a {budget}-byte budget"
        );
        let large_entries = cache.entries.len();
        assert!(
            large_entries * 20_000 <= budget,
            "{large_entries} large tokens in 1 MiB"
        );
        let small = typical();
        for i in 0..1000 {
            cache.insert(TokenDigest::of(&format!("small-{i}")), small.clone(), 7);
        }
        assert!(cache.entries.weight() <= budget as u64);
        // Many more small tokens than large ones fit. Not all of them: S3-FIFO admits a new key
        // through a small probationary queue, and which keys stay there depends on hashing.
        assert!(
            cache.entries.len() >= 64,
            "{} small tokens in 1 MiB",
            cache.entries.len()
        );
    }
}
