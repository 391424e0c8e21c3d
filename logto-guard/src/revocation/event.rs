//! What a Logto webhook body says, and the revocations it calls for: pure functions.
//!
//! Logto's payloads (`packages/core/src/libraries/hook`): every event has `hookId`, `event`
//! and `createdAt`; the user events carry the user in `data` (`id`, `isSuspended`, ...); an
//! event raised by a Management API call also carries that call's context (`path`, `method`,
//! `status`, `params`, `matchedRoute`), where `Organization.Deleted` has its organization
//! (`params.id`, its `data` is empty). `Organization.Membership.Updated` has `organizationId`
//! and, since Logto added membership deltas, `addedUserIds`, `removedUserIds`,
//! `addedApplicationIds`, `removedApplicationIds` (each omitted when empty, and cut at
//! [`MEMBERSHIP_DELTA_CAP`]); without them (older Logto) only the call's context says what
//! changed.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::timestamp;
use super::webhook::WebhookError;
use super::{MEMBERSHIP_DELTA_CAP, Revocation, Revoked};

/// `User.SuspensionStatus.Updated`: a user suspended (`data.isSuspended: true`) or unsuspended.
pub(super) const USER_SUSPENSION_UPDATED: &str = "User.SuspensionStatus.Updated";
/// `User.Deleted`.
pub(super) const USER_DELETED: &str = "User.Deleted";
/// `Organization.Membership.Updated`: users or apps added to or removed from an organization.
pub(super) const ORGANIZATION_MEMBERSHIP_UPDATED: &str = "Organization.Membership.Updated";
/// `Organization.Deleted`.
pub(super) const ORGANIZATION_DELETED: &str = "Organization.Deleted";

/// The `path` of the payload Logto's console sends to test a webhook
/// (`generateHookTestPayload`: `data: {result: 'success'}`, `params: {id: 'fake-id'}`).
const LOGTO_TEST_PATH: &str = "/fake-path/:id";

/// A Logto webhook event, read as far as revocation needs: its name, its `createdAt`, and
/// for the events that end access, whose.
///
/// ```
/// use logto_guard::revocation::{HookEvent, Revoked, revocations};
///
/// let body = br#"{"hookId":"h1","event":"User.Deleted","createdAt":"2024-05-01T12:34:56.789Z",
///                "data":{"id":"user-1","username":"ada"}}"#;
/// let event = HookEvent::parse(body)?;
/// assert_eq!(event.name(), "User.Deleted");
/// assert_eq!(event.created_at(), 1_714_566_896);
/// let revoked = revocations(&event);
/// assert_eq!(revoked[0].revoked, Revoked::Subject("user-1".into()));
/// assert_eq!(revoked[0].issued_up_to, 1_714_566_896);
/// # Ok::<(), logto_guard::revocation::WebhookError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookEvent {
    name: String,
    created_at: i64,
    kind: Kind,
}

/// The events that end access, with what they name; every other event is `Other`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Suspension {
        user: String,
        suspended: bool,
    },
    UserDeleted {
        user: String,
    },
    OrganizationDeleted {
        organization: String,
    },
    Membership {
        organization: String,
        change: MembershipChange,
    },
    Other,
}

/// What an `Organization.Membership.Updated` event says was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MembershipChange {
    /// The delta lists (Logto with membership deltas): the removed users and apps.
    Delta {
        removed_users: Vec<String>,
        removed_apps: Vec<String>,
    },
    /// No delta lists, and the call removed one user or app (`DELETE
    /// /organizations/:id/users/:userId`, `.../applications/:applicationId`).
    RemovedOne(String),
    /// No delta lists, and the call replaced the member list (`PUT /organizations/:id/users`,
    /// `.../applications`): anyone may be gone.
    Replaced,
    /// No delta lists, and nothing says that anyone was removed (members added, an invitation
    /// accepted, just-in-time provisioning).
    NoneRemoved,
}

impl HookEvent {
    /// Reads a webhook body; [`WebhookError::Malformed`] when it is not a JSON object with a
    /// string `event` and an RFC 3339 `createdAt`, or when an event that ends access lacks whom
    /// it is about.
    pub fn parse(body: &[u8]) -> Result<Self, WebhookError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|_| WebhookError::Malformed("the body is not JSON"))?;
        let Value::Object(object) = value else {
            return Err(WebhookError::Malformed("the body is not a JSON object"));
        };
        let name = string(&object, "event")?
            .ok_or(WebhookError::Malformed("no string `event`"))?
            .to_owned();
        let created_at = string(&object, "createdAt")?
            .and_then(timestamp::parse)
            .ok_or(WebhookError::Malformed(
                "no `createdAt` date-time (RFC 3339, e.g. 2024-05-01T12:34:56.789Z)",
            ))?;
        // "Send test payload" in Logto's console: a genuine, signed event about nobody.
        let logto_test = object.get("path").and_then(Value::as_str) == Some(LOGTO_TEST_PATH);
        let kind = match name.as_str() {
            _ if logto_test => Kind::Other,
            USER_SUSPENSION_UPDATED => Kind::Suspension {
                user: user_id(&object)?,
                suspended: match object.get("data").and_then(|data| data.get("isSuspended")) {
                    Some(Value::Bool(suspended)) => *suspended,
                    _ => return Err(WebhookError::Malformed("no boolean `data.isSuspended`")),
                },
            },
            USER_DELETED => Kind::UserDeleted {
                user: user_id(&object)?,
            },
            ORGANIZATION_DELETED => Kind::OrganizationDeleted {
                organization: organization_id(&object)?,
            },
            ORGANIZATION_MEMBERSHIP_UPDATED => Kind::Membership {
                organization: organization_id(&object)?,
                change: membership_change(&object)?,
            },
            _ => Kind::Other,
        };
        Ok(Self {
            name,
            created_at,
            kind,
        })
    }

    /// The event's name (`event`), e.g. `User.Deleted`.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `createdAt`, in whole seconds since the Unix epoch.
    #[must_use]
    pub fn created_at(&self) -> i64 {
        self.created_at
    }

    /// Whether this is one of the events that can end access (it may still revoke nothing:
    /// a user unsuspended, members only added).
    #[must_use]
    pub fn ends_access(&self) -> bool {
        self.kind != Kind::Other
    }
}

/// The revocations `event` calls for (see the [module](super) table); none for an event that
/// ends no access. Each covers the tokens issued up to the event's `createdAt`.
#[must_use]
pub fn revocations(event: &HookEvent) -> Vec<Revocation> {
    let at = |revoked| Revocation::new(revoked, event.created_at);
    match &event.kind {
        Kind::Suspension {
            user,
            suspended: true,
        }
        | Kind::UserDeleted { user } => vec![at(Revoked::Subject(user.clone()))],
        Kind::OrganizationDeleted { organization } => {
            vec![at(Revoked::Organization(organization.clone()))]
        }
        Kind::Membership {
            organization,
            change,
        } => membership_revocations(organization, change)
            .into_iter()
            .map(at)
            .collect(),
        Kind::Suspension {
            suspended: false, ..
        }
        | Kind::Other => Vec::new(),
    }
}

fn membership_revocations(organization: &str, change: &MembershipChange) -> Vec<Revoked> {
    let whole = || vec![Revoked::Organization(organization.to_owned())];
    let member = |id: &str| Revoked::Member {
        organization: organization.to_owned(),
        member: id.to_owned(),
    };
    match change {
        MembershipChange::Delta {
            removed_users,
            removed_apps,
        } => {
            if removed_users.len() >= MEMBERSHIP_DELTA_CAP
                || removed_apps.len() >= MEMBERSHIP_DELTA_CAP
            {
                return whole();
            }
            let ids: BTreeSet<&str> = removed_users
                .iter()
                .chain(removed_apps)
                .map(String::as_str)
                .collect();
            ids.into_iter().map(member).collect()
        }
        MembershipChange::RemovedOne(id) => vec![member(id)],
        MembershipChange::Replaced => whole(),
        MembershipChange::NoneRemoved => Vec::new(),
    }
}

/// A string member: `None` when absent or `null`, an error when of another type or empty.
fn string<'a>(
    object: &'a Map<String, Value>,
    name: &'static str,
) -> Result<Option<&'a str>, WebhookError> {
    match object.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) if !value.is_empty() => Ok(Some(value)),
        Some(_) => Err(WebhookError::Malformed(
            "a member that must be a non-empty string is not one",
        )),
    }
}

/// A member object (`data`, `params`), or none.
fn object<'a>(parent: &'a Map<String, Value>, name: &str) -> Option<&'a Map<String, Value>> {
    parent.get(name).and_then(Value::as_object)
}

/// The user of a user event: `data.id`, or the Management API call's `params.userId`.
fn user_id(event: &Map<String, Value>) -> Result<String, WebhookError> {
    let from_data = object(event, "data")
        .map(|data| string(data, "id"))
        .transpose()?
        .flatten();
    let from_params = object(event, "params")
        .map(|params| string(params, "userId"))
        .transpose()?
        .flatten();
    from_data
        .or(from_params)
        .map(str::to_owned)
        .ok_or(WebhookError::Malformed("no user id (`data.id`)"))
}

/// The organization of an organization event: `organizationId`, or the Management API call's
/// `params.id` (`DELETE /organizations/:id`), or `data.id`.
fn organization_id(event: &Map<String, Value>) -> Result<String, WebhookError> {
    if let Some(id) = string(event, "organizationId")? {
        return Ok(id.to_owned());
    }
    let from_params = object(event, "params")
        .map(|params| string(params, "id"))
        .transpose()?
        .flatten();
    let from_data = object(event, "data")
        .map(|data| string(data, "id"))
        .transpose()?
        .flatten();
    from_params
        .or(from_data)
        .map(str::to_owned)
        .ok_or(WebhookError::Malformed(
            "no organization id (`organizationId` or `params.id`)",
        ))
}

/// A list of ids, or none when absent or `null`.
fn ids(
    event: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<Vec<String>>, WebhookError> {
    let malformed =
        WebhookError::Malformed("a membership delta is not a list of non-empty strings");
    match event.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(values)) => values
            .iter()
            .map(|value| match value {
                Value::String(id) if !id.is_empty() => Ok(id.clone()),
                _ => Err(malformed.clone()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(malformed),
    }
}

fn membership_change(event: &Map<String, Value>) -> Result<MembershipChange, WebhookError> {
    let removed_users = ids(event, "removedUserIds")?;
    let removed_apps = ids(event, "removedApplicationIds")?;
    let added_users = ids(event, "addedUserIds")?;
    let added_apps = ids(event, "addedApplicationIds")?;
    if removed_users.is_some()
        || removed_apps.is_some()
        || added_users.is_some()
        || added_apps.is_some()
    {
        return Ok(MembershipChange::Delta {
            removed_users: removed_users.unwrap_or_default(),
            removed_apps: removed_apps.unwrap_or_default(),
        });
    }
    // No delta: the Management API call that raised the event, if any, tells.
    let method = string(event, "method")?.map(str::to_ascii_uppercase);
    let params = object(event, "params");
    let removed_one = params
        .map(|params| -> Result<Option<&str>, WebhookError> {
            Ok(string(params, "userId")?.or(string(params, "applicationId")?))
        })
        .transpose()?
        .flatten();
    Ok(match (method.as_deref(), removed_one) {
        (Some("DELETE"), Some(id)) => MembershipChange::RemovedOne(id.to_owned()),
        // A replaced list, or a removal whose id is not where Logto puts it: anyone may be gone.
        (Some("PUT" | "DELETE"), _) => MembershipChange::Replaced,
        _ => MembershipChange::NoneRemoved,
    })
}

#[cfg(test)]
mod tests;
