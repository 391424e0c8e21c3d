//! Which tokens each kind of revocation covers, and how long it is kept.

use std::sync::Arc;

use serde_json::{Value, json};

use super::*;

const T: i64 = 1_700_000_000;
/// A retention of an hour: a token lives at most that long (leeway included).
const RETENTION: i64 = 3600;
const API: &str = "https://api.example.com";

fn token(claims: Value) -> AccessToken {
    let mut payload = json!({"iss": "https://tenant.logto.app/oidc", "aud": API, "exp": T + 3600});
    let (Some(members), Value::Object(claims)) = (payload.as_object_mut(), claims) else {
        unreachable!("objects")
    };
    members.extend(claims);
    let issuer: Arc<str> = "https://tenant.logto.app/oidc".into();
    AccessToken::new(
        crate::payload::parse(
            payload.to_string().into_bytes(),
            std::slice::from_ref(&issuer),
        )
        .expect("claims"),
    )
}

fn set_with(revoked: Revoked) -> RevocationSet {
    let set = RevocationSet::new(RETENTION);
    assert_eq!(set.insert(&[Revocation::new(revoked, T)], T), 1);
    set
}

fn organization_token(organization: &str, sub: &str, iat: i64) -> AccessToken {
    token(json!({
        "aud": format!("urn:logto:organization:{organization}"),
        "sub": sub, "client_id": "spa", "iat": iat,
    }))
}

fn organization_resource_token(
    organization: &str,
    sub: &str,
    client: &str,
    iat: i64,
) -> AccessToken {
    token(json!({
        "aud": API, "organization_id": organization, "sub": sub, "client_id": client, "iat": iat,
    }))
}

#[test]
fn an_empty_set_revokes_nothing() {
    let set = RevocationSet::new(RETENTION);
    assert!(!set.revokes(&token(json!({"sub": "u1", "iat": T}))));
    assert!(!set.revokes(&token(json!({"sub": "u1"}))));
    assert_eq!(set.active(T), 0);
}

#[test]
fn a_subject_revocation_covers_its_tokens_issued_up_to_then() {
    let set = set_with(Revoked::Subject("u1".into()));
    for iat in [T - 3000, T - 1, T] {
        assert!(
            set.revokes(&token(json!({"aud": API, "sub": "u1", "iat": iat}))),
            "{iat}"
        );
    }
    // Its organization tokens too: the user is gone everywhere.
    assert!(set.revokes(&organization_token("o1", "u1", T)));
    // Issued after the event (Logto issues none to a suspended user, but a later one is fine).
    assert!(!set.revokes(&token(json!({"aud": API, "sub": "u1", "iat": T + 1}))));
    // Someone else's token, and a token whose client (not subject) has that id.
    assert!(!set.revokes(&token(json!({"aud": API, "sub": "u2", "iat": T}))));
    assert!(!set.revokes(&token(
        json!({"aud": API, "sub": "u2", "client_id": "u1", "iat": T})
    )));
}

#[test]
fn a_token_without_iat_is_revoked_when_a_revocation_would_cover_it() {
    let set = set_with(Revoked::Subject("u1".into()));
    assert!(set.revokes(&token(json!({"aud": API, "sub": "u1"}))));
    assert!(!set.revokes(&token(json!({"aud": API, "sub": "u2"}))));
    let set = set_with(Revoked::Member {
        organization: "o1".into(),
        member: "u1".into(),
    });
    assert!(set.revokes(&token(
        json!({"aud": "urn:logto:organization:o1", "sub": "u1"})
    )));
    assert!(!set.revokes(&token(json!({"aud": API, "sub": "u1"}))));
}

#[test]
fn a_removed_member_loses_only_that_organizations_tokens() {
    let set = set_with(Revoked::Member {
        organization: "o1".into(),
        member: "u1".into(),
    });
    // Both kinds of token for the organization.
    assert!(set.revokes(&organization_token("o1", "u1", T)));
    assert!(set.revokes(&organization_resource_token("o1", "u1", "spa", T)));
    // Issued after the removal, for another organization, or not for an organization.
    assert!(!set.revokes(&organization_token("o1", "u1", T + 1)));
    assert!(!set.revokes(&organization_token("o2", "u1", T)));
    assert!(!set.revokes(&token(json!({"aud": API, "sub": "u1", "iat": T}))));
    // Another member of the organization.
    assert!(!set.revokes(&organization_token("o1", "u2", T)));
}

#[test]
fn a_removed_app_loses_the_tokens_it_holds_for_the_organization() {
    let set = set_with(Revoked::Member {
        organization: "o1".into(),
        member: "app-1".into(),
    });
    // A machine-to-machine token (`sub` = `client_id` = the app).
    assert!(set.revokes(&organization_resource_token("o1", "app-1", "app-1", T)));
    // A user's token obtained through that app.
    assert!(set.revokes(&organization_resource_token("o1", "u1", "app-1", T)));
    assert!(!set.revokes(&organization_resource_token("o1", "u1", "app-2", T)));
    assert!(!set.revokes(&organization_resource_token("o2", "app-1", "app-1", T)));
}

#[test]
fn a_deleted_organization_loses_every_token_for_it() {
    let set = set_with(Revoked::Organization("o1".into()));
    assert!(set.revokes(&organization_token("o1", "anyone", T)));
    assert!(set.revokes(&organization_resource_token("o1", "app-9", "app-9", T - 10)));
    assert!(!set.revokes(&organization_token("o1", "anyone", T + 1)));
    assert!(!set.revokes(&organization_token("o2", "anyone", T)));
    assert!(!set.revokes(&token(json!({"aud": API, "sub": "anyone", "iat": T}))));
    // A token naming two organizations (Logto issues none) is covered through either.
    let two = token(json!({
        "aud": ["urn:logto:organization:o2", "urn:logto:organization:o1"], "sub": "x", "iat": T,
    }));
    assert!(set.revokes(&two));
}

#[test]
fn the_latest_revocation_of_a_key_wins() {
    let set = RevocationSet::new(RETENTION);
    let subject = |up_to| Revocation::new(Revoked::Subject("u1".into()), up_to);
    set.insert(&[subject(T + 100)], T + 100);
    set.insert(&[subject(T)], T + 100);
    assert!(set.revokes(&token(json!({"sub": "u1", "iat": T + 100}))));
    assert_eq!(set.active(T + 100), 1);
    let whole = |up_to| Revocation::new(Revoked::Organization("o1".into()), up_to);
    set.insert(&[whole(T + 50), whole(T + 20)], T + 100);
    assert!(set.revokes(&organization_token("o1", "x", T + 50)));
}

#[test]
fn entries_are_forgotten_once_every_token_they_cover_expired() {
    let set = RevocationSet::new(RETENTION);
    set.insert(
        &[
            Revocation::new(Revoked::Subject("u1".into()), T),
            Revocation::new(
                Revoked::Member {
                    organization: "o1".into(),
                    member: "u2".into(),
                },
                T + 10,
            ),
            Revocation::new(Revoked::Organization("o2".into()), T + 20),
        ],
        T,
    );
    assert_eq!(set.active(T), 3);
    assert_eq!(set.entries(T).len(), 3);
    assert_eq!(set.active(T + RETENTION), 2);
    set.prune(T + RETENTION + 10);
    assert_eq!(set.active(T + RETENTION + 10), 1);
    assert_eq!(
        set.entries(T + RETENTION + 10),
        [Revocation::new(Revoked::Organization("o2".into()), T + 20)]
    );
    set.prune(T + RETENTION + 20);
    assert_eq!(set.active(T), 0);
    // Back to the fast path.
    assert_eq!(set.entries.load(Ordering::Acquire), 0);
    // A revocation whose tokens have all expired is not added.
    assert_eq!(
        set.insert(
            &[Revocation::new(Revoked::Subject("u3".into()), T)],
            T + RETENTION
        ),
        0
    );
}

#[test]
fn the_request_path_prunes_at_most_once_a_minute() {
    let set = RevocationSet::new(RETENTION);
    // Expires at T + 30.
    let up_to = T - RETENTION + 30;
    set.insert(&[Revocation::new(Revoked::Subject("u1".into()), up_to)], T);
    set.prune_now_and_then(T);
    assert!(!set.is_empty());
    // Expired, but the last prune was less than a minute ago.
    set.prune_now_and_then(T + 40);
    assert!(!set.is_empty());
    set.prune_now_and_then(T + 60);
    assert!(set.is_empty());
}
