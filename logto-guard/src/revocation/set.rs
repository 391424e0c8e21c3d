//! The revocations in force, checked on every request.
//!
//! Reading is lock-free: the index is an immutable snapshot behind an [`ArcSwap`], replaced
//! whole by a writer (copy on write; revocations are rare, requests are not), and a counter
//! says when there is nothing to look up, so an empty set costs one atomic load per request.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use super::{Revocation, Revoked};
use crate::support::lock;
use crate::token::AccessToken;

/// The revocations a validator enforces; its clones share it.
pub(crate) struct RevocationSet {
    index: ArcSwap<Index>,
    /// How many entries `index` holds: 0 spares the request path the lookup.
    entries: AtomicUsize,
    /// Writers one at a time, so that none loses another's entries.
    writer: Mutex<()>,
    /// When the request path next drops expired entries (seconds since the Unix epoch).
    next_prune: AtomicI64,
    /// How long after its `issued_up_to` an entry is kept, in seconds: the longest token
    /// lifetime plus the leeway on `exp`. A token it covers has expired by then.
    retention: i64,
}

/// How often, in seconds, the request path drops expired entries.
const PRUNE_EVERY: i64 = 60;

/// One snapshot of the revocations. Each key maps to the latest `issued_up_to` revoked for it,
/// which covers every earlier one.
#[derive(Debug, Default, Clone)]
struct Index {
    subjects: HashMap<Box<str>, i64>,
    organizations: HashMap<Box<str>, OrganizationEntry>,
}

#[derive(Debug, Default, Clone)]
struct OrganizationEntry {
    /// Every token for the organization issued up to this.
    whole: Option<i64>,
    /// The tokens of a user or app for the organization issued up to this.
    members: HashMap<Box<str>, i64>,
}

impl RevocationSet {
    /// An empty set whose entries are kept `retention` seconds after their `issued_up_to`.
    pub(crate) fn new(retention: i64) -> Self {
        Self {
            index: ArcSwap::from_pointee(Index::default()),
            entries: AtomicUsize::new(0),
            writer: Mutex::new(()),
            next_prune: AtomicI64::new(0),
            retention,
        }
    }

    /// How long an entry is kept after its `issued_up_to`, in seconds.
    #[cfg(feature = "redis")]
    pub(crate) fn retention(&self) -> i64 {
        self.retention
    }

    /// Whether no revocation is held: what the request path checks first, one atomic load.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.load(Ordering::Acquire) == 0
    }

    /// Whether a revocation covers `token`: see [`super`]. One atomic load when the set is
    /// empty.
    pub(crate) fn revokes(&self, token: &AccessToken) -> bool {
        if self.is_empty() {
            return false;
        }
        self.index.load().revokes(token)
    }

    /// Drops the expired entries at most once a minute, from the request path: never waits
    /// for a writer (one busy now has pruned anyway), so the set empties itself, back to the
    /// one-load check, whatever framework serves the requests.
    pub(crate) fn prune_now_and_then(&self, now: i64) {
        if now < self.next_prune.load(Ordering::Relaxed) {
            return;
        }
        let Ok(_writer) = self.writer.try_lock() else {
            return;
        };
        self.next_prune
            .store(now.saturating_add(PRUNE_EVERY), Ordering::Relaxed);
        self.prune_locked(now);
    }

    /// Adds `revocations`, dropping entries past their retention at `now` (seconds since the
    /// Unix epoch); a revocation already past it is not added. Returns how many of
    /// `revocations` are in force.
    pub(crate) fn insert(&self, revocations: &[Revocation], now: i64) -> usize {
        let _writer = lock(&self.writer);
        let mut index = Index::clone(&self.index.load());
        index.retain_unexpired(now, self.retention);
        let mut in_force = 0;
        for revocation in revocations {
            if revocation.issued_up_to.saturating_add(self.retention) <= now {
                continue;
            }
            index.insert(revocation);
            in_force += 1;
        }
        self.publish(index);
        in_force
    }

    /// Drops the entries past their retention at `now`.
    #[cfg(test)]
    pub(crate) fn prune(&self, now: i64) {
        let _writer = lock(&self.writer);
        self.prune_locked(now);
    }

    /// [`Self::prune`], the writer lock held.
    fn prune_locked(&self, now: i64) {
        let current = self.index.load();
        if current.all_unexpired(now, self.retention) {
            return;
        }
        let mut index = Index::clone(&current);
        index.retain_unexpired(now, self.retention);
        self.publish(index);
    }

    /// How many entries are in force at `now`.
    pub(crate) fn active(&self, now: i64) -> usize {
        self.index.load().count_unexpired(now, self.retention)
    }

    /// Every entry in force at `now`, as revocations: what the set would be rebuilt from.
    #[cfg(any(test, feature = "redis"))]
    pub(crate) fn entries(&self, now: i64) -> Vec<Revocation> {
        let index = self.index.load();
        let live = |up_to: &i64| up_to.saturating_add(self.retention) > now;
        let mut all = Vec::new();
        for (subject, up_to) in index.subjects.iter().filter(|(_, t)| live(t)) {
            all.push(Revocation::new(
                Revoked::Subject(subject.to_string()),
                *up_to,
            ));
        }
        for (organization, entry) in &index.organizations {
            if let Some(up_to) = entry.whole.filter(live) {
                all.push(Revocation::new(
                    Revoked::Organization(organization.to_string()),
                    up_to,
                ));
            }
            for (member, up_to) in entry.members.iter().filter(|(_, t)| live(t)) {
                all.push(Revocation::new(
                    Revoked::Member {
                        organization: organization.to_string(),
                        member: member.to_string(),
                    },
                    *up_to,
                ));
            }
        }
        all
    }

    fn publish(&self, index: Index) {
        let entries = index.len();
        self.index.store(Arc::new(index));
        // After the index: a request that sees the count sees the index it counts.
        self.entries.store(entries, Ordering::Release);
    }
}

impl Index {
    fn revokes(&self, token: &AccessToken) -> bool {
        // A token without `iat` cannot show that it came after the revocation.
        let covered = |up_to: &i64| token.issued_at().is_none_or(|iat| iat <= *up_to);
        let subject = token.subject();
        if subject.is_some_and(|sub| self.subjects.get(sub).is_some_and(covered)) {
            return true;
        }
        if self.organizations.is_empty() {
            return false;
        }
        token.organizations().any(|organization| {
            self.organizations.get(organization).is_some_and(|entry| {
                entry.whole.as_ref().is_some_and(covered)
                    || [subject, token.client_id()]
                        .into_iter()
                        .flatten()
                        .any(|member| entry.members.get(member).is_some_and(covered))
            })
        })
    }

    fn insert(&mut self, revocation: &Revocation) {
        let up_to = revocation.issued_up_to;
        let latest = |slot: &mut i64| *slot = (*slot).max(up_to);
        match &revocation.revoked {
            Revoked::Subject(subject) => {
                latest(
                    self.subjects
                        .entry(subject.as_str().into())
                        .or_insert(up_to),
                );
            }
            Revoked::Member {
                organization,
                member,
            } => latest(
                self.organizations
                    .entry(organization.as_str().into())
                    .or_default()
                    .members
                    .entry(member.as_str().into())
                    .or_insert(up_to),
            ),
            Revoked::Organization(organization) => {
                let entry = self
                    .organizations
                    .entry(organization.as_str().into())
                    .or_default();
                entry.whole = Some(entry.whole.map_or(up_to, |t| t.max(up_to)));
            }
        }
    }

    fn len(&self) -> usize {
        self.subjects.len()
            + self
                .organizations
                .values()
                .map(|entry| usize::from(entry.whole.is_some()) + entry.members.len())
                .sum::<usize>()
    }

    fn count_unexpired(&self, now: i64, retention: i64) -> usize {
        let live = |up_to: &i64| up_to.saturating_add(retention) > now;
        self.subjects.values().filter(|t| live(t)).count()
            + self
                .organizations
                .values()
                .map(|entry| {
                    usize::from(entry.whole.as_ref().is_some_and(live))
                        + entry.members.values().filter(|t| live(t)).count()
                })
                .sum::<usize>()
    }

    fn all_unexpired(&self, now: i64, retention: i64) -> bool {
        self.count_unexpired(now, retention) == self.len()
    }

    fn retain_unexpired(&mut self, now: i64, retention: i64) {
        let live = |up_to: &i64| up_to.saturating_add(retention) > now;
        self.subjects.retain(|_, up_to| live(up_to));
        self.organizations.retain(|_, entry| {
            entry.whole = entry.whole.filter(live);
            entry.members.retain(|_, up_to| live(up_to));
            entry.whole.is_some() || !entry.members.is_empty()
        });
    }
}

#[cfg(test)]
mod tests;
