//! Each rule of the module table, on payloads shaped as Logto sends them.

use serde_json::{Value, json};

use super::*;

const CREATED_AT: &str = "2024-05-01T12:34:56.789Z";
const T: i64 = 1_714_566_896;

fn parse(payload: &Value) -> Result<HookEvent, WebhookError> {
    HookEvent::parse(payload.to_string().as_bytes())
}

fn revoked(payload: &Value) -> Vec<Revoked> {
    let event = parse(payload).expect("a valid event");
    let revocations = revocations(&event);
    assert!(revocations.iter().all(|r| r.issued_up_to == T));
    revocations.into_iter().map(|r| r.revoked).collect()
}

/// What Logto's data hooks carry besides the event's own members (`buildWebhooks`, and the
/// Management API call's context).
fn event(name: &str, members: Value) -> Value {
    let mut payload = json!({
        "hookId": "hook-1",
        "event": name,
        "createdAt": CREATED_AT,
        "userAgent": "curl/8",
        "ip": "127.0.0.1",
    });
    let (Some(payload_members), Value::Object(members)) = (payload.as_object_mut(), members) else {
        unreachable!("objects")
    };
    payload_members.extend(members);
    payload
}

fn member(organization: &str, member: &str) -> Revoked {
    Revoked::Member {
        organization: organization.into(),
        member: member.into(),
    }
}

#[test]
fn a_suspension_revokes_the_user_and_an_unsuspension_nothing() {
    let suspended = event(
        "User.SuspensionStatus.Updated",
        json!({
            "path": "/api/users/u1/is-suspended", "method": "PATCH", "status": 200,
            "params": {"userId": "u1"}, "matchedRoute": "/users/:userId/is-suspended",
            "data": {"id": "u1", "username": "ada", "isSuspended": true},
        }),
    );
    assert_eq!(revoked(&suspended), [Revoked::Subject("u1".into())]);
    let mut unsuspended = suspended.clone();
    unsuspended["data"]["isSuspended"] = json!(false);
    assert!(revoked(&unsuspended).is_empty());
    let parsed = parse(&unsuspended).expect("valid");
    assert!(parsed.ends_access());
    // The user from the call's parameters when `data` lacks it.
    let mut without_id = suspended.clone();
    without_id["data"]
        .as_object_mut()
        .expect("object")
        .remove("id");
    assert_eq!(revoked(&without_id), [Revoked::Subject("u1".into())]);
    // Without the flag it is unknown whether access ended: refused, not guessed.
    let mut without_flag = suspended;
    without_flag["data"]
        .as_object_mut()
        .expect("object")
        .remove("isSuspended");
    assert_eq!(
        parse(&without_flag),
        Err(WebhookError::Malformed("no boolean `data.isSuspended`"))
    );
}

#[test]
fn a_deleted_user_is_revoked() {
    let deleted = event(
        "User.Deleted",
        json!({"data": {"id": "u2", "primaryEmail": "grace@example.com"}, "params": {"userId": "u2"}}),
    );
    assert_eq!(revoked(&deleted), [Revoked::Subject("u2".into())]);
    let nobody = event("User.Deleted", json!({"data": {"username": "x"}}));
    assert!(matches!(parse(&nobody), Err(WebhookError::Malformed(_))));
}

#[test]
fn a_deleted_organization_is_revoked_whole() {
    // `DELETE /organizations/:id`: the organization is the call's `params.id`; no `data`.
    let deleted = event(
        "Organization.Deleted",
        json!({"path": "/api/organizations/o1", "method": "DELETE", "status": 204,
               "params": {"id": "o1"}, "matchedRoute": "/organizations/:id"}),
    );
    assert_eq!(revoked(&deleted), [Revoked::Organization("o1".into())]);
    let with_id = event("Organization.Deleted", json!({"organizationId": "o2"}));
    assert_eq!(revoked(&with_id), [Revoked::Organization("o2".into())]);
    let nothing = event("Organization.Deleted", json!({}));
    assert!(matches!(parse(&nothing), Err(WebhookError::Malformed(_))));
}

#[test]
fn removed_members_are_revoked_in_their_organization_only() {
    let delta = event(
        "Organization.Membership.Updated",
        json!({
            "organizationId": "o1",
            "addedUserIds": ["u9"],
            "removedUserIds": ["u1", "u2", "u1"],
            "removedApplicationIds": ["app-1"],
            "method": "PUT", "params": {"id": "o1"},
        }),
    );
    assert_eq!(
        revoked(&delta),
        [
            member("o1", "app-1"),
            member("o1", "u1"),
            member("o1", "u2")
        ]
    );
    // Only additions: nothing ends.
    let added = event(
        "Organization.Membership.Updated",
        json!({"organizationId": "o1", "addedUserIds": ["u9"], "method": "POST"}),
    );
    assert!(revoked(&added).is_empty());
}

#[test]
fn a_delta_cut_at_the_cap_revokes_the_whole_organization() {
    let ids = |n: usize| (0..n).map(|i| format!("u{i}")).collect::<Vec<_>>();
    for field in ["removedUserIds", "removedApplicationIds"] {
        let capped = event(
            "Organization.Membership.Updated",
            json!({"organizationId": "o1", field: ids(MEMBERSHIP_DELTA_CAP)}),
        );
        assert_eq!(
            revoked(&capped),
            [Revoked::Organization("o1".into())],
            "{field}"
        );
        let below = event(
            "Organization.Membership.Updated",
            json!({"organizationId": "o1", field: ids(MEMBERSHIP_DELTA_CAP - 1)}),
        );
        assert_eq!(revoked(&below).len(), MEMBERSHIP_DELTA_CAP - 1, "{field}");
    }
}

#[test]
fn without_deltas_the_management_call_tells_what_was_removed() {
    // Logto before membership deltas: `organizationId` and the call's context only.
    let removed_user = event(
        "Organization.Membership.Updated",
        json!({"organizationId": "o1", "path": "/api/organizations/o1/users/u1",
               "method": "DELETE", "status": 204, "params": {"id": "o1", "userId": "u1"},
               "matchedRoute": "/organizations/:id/users/:userId"}),
    );
    assert_eq!(revoked(&removed_user), [member("o1", "u1")]);
    let removed_app = event(
        "Organization.Membership.Updated",
        json!({"organizationId": "o1", "method": "DELETE",
               "params": {"id": "o1", "applicationId": "app-1"}}),
    );
    assert_eq!(revoked(&removed_app), [member("o1", "app-1")]);
    // A replaced member list may have dropped anyone.
    let replaced = event(
        "Organization.Membership.Updated",
        json!({"organizationId": "o1", "method": "PUT", "params": {"id": "o1"}}),
    );
    assert_eq!(revoked(&replaced), [Revoked::Organization("o1".into())]);
    // Added members, an accepted invitation, just-in-time provisioning: nothing ends.
    for added in [
        json!({"organizationId": "o1", "method": "POST", "params": {"id": "o1"}}),
        json!({"organizationId": "o1"}),
    ] {
        assert!(revoked(&event("Organization.Membership.Updated", added)).is_empty());
    }
}

#[test]
fn logtos_test_payloads_end_no_access() {
    // What "Send test payload" in Logto's console sends for each event (`generateHookTestPayload`).
    for name in crate::revocation::HOOK_EVENTS {
        let test = event(
            name,
            json!({"userAgent": "fake-user-agent", "path": "/fake-path/:id", "method": "POST",
                   "status": 200, "params": {"id": "fake-id"}, "data": {"result": "success"}}),
        );
        let parsed = parse(&test).expect("a valid event");
        assert!(!parsed.ends_access(), "{name}");
        assert!(revocations(&parsed).is_empty(), "{name}");
    }
}

#[test]
fn other_events_end_no_access() {
    for name in [
        "PostSignIn",
        "User.Created",
        "Role.Scopes.Updated",
        "Organization.Created",
    ] {
        let parsed = parse(&event(name, json!({"data": {"id": "x"}}))).expect("valid");
        assert!(!parsed.ends_access());
        assert!(revocations(&parsed).is_empty());
    }
}

#[test]
fn malformed_bodies_are_refused() {
    let membership = |members: Value| event("Organization.Membership.Updated", members);
    for body in [
        b"".to_vec(),
        b"not json".to_vec(),
        b"[1,2]".to_vec(),
        json!({"createdAt": CREATED_AT}).to_string().into_bytes(),
        json!({"event": 7, "createdAt": CREATED_AT})
            .to_string()
            .into_bytes(),
        json!({"event": "User.Deleted"}).to_string().into_bytes(),
        json!({"event": "User.Deleted", "createdAt": "yesterday", "data": {"id": "u"}})
            .to_string()
            .into_bytes(),
        json!({"event": "User.Deleted", "createdAt": CREATED_AT, "data": {"id": 5}})
            .to_string()
            .into_bytes(),
        json!({"event": "User.Deleted", "createdAt": CREATED_AT, "data": {"id": ""}})
            .to_string()
            .into_bytes(),
        membership(json!({"removedUserIds": ["u1"]}))
            .to_string()
            .into_bytes(),
        membership(json!({"organizationId": "o1", "removedUserIds": "u1"}))
            .to_string()
            .into_bytes(),
        membership(json!({"organizationId": "o1", "removedUserIds": ["u1", 2]}))
            .to_string()
            .into_bytes(),
        membership(json!({"organizationId": "o1", "removedApplicationIds": [""]}))
            .to_string()
            .into_bytes(),
    ] {
        assert!(
            matches!(HookEvent::parse(&body), Err(WebhookError::Malformed(_))),
            "{}",
            String::from_utf8_lossy(&body)
        );
    }
}
