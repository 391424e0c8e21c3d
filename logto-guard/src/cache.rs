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
