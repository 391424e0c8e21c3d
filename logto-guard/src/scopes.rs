//! The permissions a token grants.

use std::fmt;

use crate::support::{PER_ALLOCATION, strs_heap_bytes};

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

    /// The heap memory the scope strings hold, with the allocator's overhead.
    pub(crate) fn heap_bytes(&self) -> usize {
        std::mem::size_of_val::<[Box<str>]>(&self.0) + PER_ALLOCATION + strs_heap_bytes(&self.0)
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
