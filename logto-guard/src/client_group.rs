//! Client groups: the applications a route accepts, by `client_id`. The code names a group
//! (`#[requires(clients = "billing", ..)]`), the config lists its client ids, because app ids
//! differ from one Logto tenant (environment) to the next.

use std::collections::BTreeMap;

use crate::error::AuthError;
use crate::token::AccessToken;

/// The longest client group name.
pub(crate) const MAX_GROUP_NAME_LEN: usize = 64;

/// Why a string is not a client group name: the twin of the check `#[requires(clients = ..)]`
/// makes at compile time.
pub(crate) fn check_group_name(name: &str) -> Result<(), &'static str> {
    let mut bytes = name.bytes();
    let starts_with_letter = bytes.next().is_some_and(|b| b.is_ascii_lowercase());
    if !starts_with_letter
        || !bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(
            "a client group name is lowercase ASCII letters, digits and `_`, starting \
                    with a letter, like `billing`",
        );
    }
    if name.len() > MAX_GROUP_NAME_LEN {
        return Err("a client group name is at most 64 characters long");
    }
    Ok(())
}

/// The applications of one client group, as the config lists them: the `client_id`s (Logto
/// app ids) that routes of this group accept. Built by the [`Validator`](crate::Validator)
/// from the config; see [`Config::client_group`](crate::Config::client_group).
///
/// A group matches a token's `client_id` exactly. Logto's dynamic clients (Client ID Metadata
/// Documents, CIMD) have an `https://` URL as their `client_id`: list that URL to admit one
/// such client; no prefix or pattern is matched, since anyone can publish a metadata document
/// at a URL of their own, and all of them share the one permission ceiling Logto gives
/// dynamic clients, so their scopes do not tell them apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientGroup {
    name: Box<str>,
    client_ids: Box<[Box<str>]>,
}

impl ClientGroup {
    /// The group's name, as `#[requires(clients = "..")]` and the config write it.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The client ids of the group, as configured.
    pub fn client_ids(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.client_ids.iter().map(|id| &**id)
    }

    /// Whether `client_id` is one of the group's, exactly.
    #[must_use]
    pub fn contains(&self, client_id: &str) -> bool {
        self.client_ids.iter().any(|id| **id == *client_id)
    }

    /// Checks the token's `client_id`: [`AuthError::ClientNotAllowed`] when it is not one of
    /// the group's, or the token has none.
    pub(crate) fn check(&self, token: &AccessToken) -> Result<(), AuthError> {
        match token.client_id() {
            Some(client_id) if self.contains(client_id) => Ok(()),
            _ => Err(AuthError::ClientNotAllowed {
                group: self.name.to_string(),
            }),
        }
    }
}

/// The groups of a config, by name.
pub(crate) fn groups(config: &BTreeMap<String, Vec<String>>) -> Box<[ClientGroup]> {
    config
        .iter()
        .map(|(name, ids)| ClientGroup {
            name: name.as_str().into(),
            client_ids: ids.iter().map(|id| id.as_str().into()).collect(),
        })
        .collect()
}

/// Which clients a [`Policy`](crate::Policy) accepts, by `client_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClientsMatch<'a> {
    /// Any client (the default).
    #[default]
    Any,
    /// The clients of the group of this name, not looked up yet: matches no token (the check
    /// answers [`AuthError::NotConfigured`], logged) until narrowed with
    /// [`Policy::client_group`](crate::Policy::client_group). What
    /// [`Requirement::policy`](crate::Requirement::policy) gives for
    /// [`Requirement::CLIENT_GROUP`](crate::Requirement::CLIENT_GROUP); the `Authorized<R>`
    /// guard narrows it with the config's group.
    Named(&'a str),
    /// The clients of this group.
    Group(&'a ClientGroup),
}

impl ClientsMatch<'_> {
    pub(crate) fn check(self, token: &AccessToken) -> Result<(), AuthError> {
        match self {
            Self::Any => Ok(()),
            Self::Group(group) => group.check(token),
            Self::Named(name) => {
                tracing::error!(
                    "logto-guard: a policy for the client group `{name}` was checked without \
                     the group's client ids; narrow it with `Policy::client_group` (refusing \
                     the token)"
                );
                Err(AuthError::NotConfigured)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_group_name;

    #[test]
    fn group_names_are_lowercase_identifiers() {
        for good in ["billing", "b", "billing_v2", &"a".repeat(64)] {
            assert_eq!(check_group_name(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "Billing",
            "2fa",
            "_billing",
            "billing-api",
            "bill ing",
            "ü",
        ] {
            assert!(check_group_name(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_group_name(&"a".repeat(65)),
            Err("a client group name is at most 64 characters long")
        );
    }
}
