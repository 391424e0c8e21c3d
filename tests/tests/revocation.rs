//! Revocation over HTTP: the webhook receiver the fairing mounts (good, wrong, missing, doubled
//! and replayed signatures; oversized and malformed bodies), and the tokens it revokes refused
//! on the next request while the others keep working.

use logto_guard::testing::TestIssuer;
use logto_guard::{AccessToken, Config, LogtoGuard, Organization, RouteAudit, guarded, requires};
use logto_guard_tests::helpers::{bearer, iso_time, logto_signature_header, metrics, now};
use logto_guard_tests::logs::Logs;
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{get, routes};
use serde_json::{Value, json};

const KEY: &str = "whsk_0123456789abcdefghijklmnopqrst";
const WEBHOOK: &str = "/logto/webhook";

#[requires(resource = "https://api.example.com")]
#[get("/me")]
fn me(token: AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

#[guarded]
#[get("/organizations/<org_id>/members")]
fn members(org_id: &str, organization: Organization) -> String {
    assert_eq!(org_id, organization.id());
    organization.id().to_owned()
}

fn config(issuer: &TestIssuer) -> Config {
    issuer
        .config()
        .organization_tokens(true)
        .route_audit(RouteAudit::Deny)
        .webhook_signing_key(KEY)
}

async fn client(config: Config) -> Client {
    let rocket = rocket::build()
        .attach(LogtoGuard::with_config(config))
        .mount("/", routes![me, members]);
    Client::tracked(rocket).await.expect("the app ignites")
}

/// Posts `body` with the signature Logto would send (`Some(key)`), or none.
async fn deliver<'c>(
    client: &'c Client,
    body: &str,
    signed_with: Option<&str>,
) -> LocalResponse<'c> {
    let mut request = client.post(WEBHOOK).header(ContentType::JSON).body(body);
    if let Some(key) = signed_with {
        request = request.header(logto_signature_header(key, body.as_bytes()));
    }
    request.dispatch().await
}

async fn json(response: LocalResponse<'_>) -> Value {
    serde_json::from_str(&response.into_string().await.unwrap_or_default()).expect("a JSON body")
}

fn event(name: &str, members: Value) -> String {
    let mut payload = json!({"hookId": "hook-1", "event": name, "createdAt": iso_time(0)});
    let (Some(payload_members), Value::Object(members)) = (payload.as_object_mut(), members) else {
        unreachable!("objects")
    };
    payload_members.extend(members);
    payload.to_string()
}

fn suspension(user: &str) -> String {
    event(
        "User.SuspensionStatus.Updated",
        json!({"method": "PATCH", "params": {"userId": user},
               "data": {"id": user, "username": "ada", "isSuspended": true}}),
    )
}

async fn status_of(client: &Client, path: &str, token: &str) -> Status {
    client
        .get(path)
        .header(bearer(token))
        .dispatch()
        .await
        .status()
}

#[rocket::async_test]
async fn a_signed_suspension_revokes_the_users_tokens_on_the_next_request() {
    let issuer = TestIssuer::start().await;
    let client = client(config(&issuer)).await;
    // Issued a second before the event, so that "issued up to the event" is not a matter of
    // which side of a second boundary the test runs on.
    let ada = issuer.token().subject("ada").issued_at(now() - 1).sign();
    let grace = issuer.token().subject("grace").issued_at(now() - 1).sign();
    // Twice: the second answer comes from the token cache, which must not outlive a revocation.
    assert_eq!(status_of(&client, "/me", &ada).await, Status::Ok);
    assert_eq!(status_of(&client, "/me", &ada).await, Status::Ok);

    let (logs, _capturing) = Logs::capture();
    let response = deliver(&client, &suspension("ada"), Some(KEY)).await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        json(response).await,
        json!({"outcome": "accepted", "revocations": 1})
    );

    let refused = client.get("/me").header(bearer(&ada)).dispatch().await;
    assert_eq!(refused.status(), Status::Unauthorized);
    assert_eq!(
        refused.headers().get_one("WWW-Authenticate"),
        Some(r#"Bearer realm="api", error="invalid_token", error_description="token was revoked""#)
    );
    assert_eq!(
        json(refused).await,
        json!({"error": "invalid_token", "error_description": "token was revoked"})
    );
    // Someone else's token, and ada's next token (Logto would issue none while she is
    // suspended; once unsuspended, a new one works).
    assert_eq!(status_of(&client, "/me", &grace).await, Status::Ok);
    let later = issuer.token().subject("ada").issued_at(now() + 1).sign();
    assert_eq!(status_of(&client, "/me", &later).await, Status::Ok);

    let validator = LogtoGuard::validator(client.rocket()).expect("the fairing ran");
    let metrics = validator.metrics();
    assert_eq!(metrics.rejections_with_reason("revoked"), 1);
    assert_eq!(metrics.revocations, 1);
    assert_eq!(metrics.webhook_deliveries.accepted, 1);
    // The event type and the count at info, never the user.
    let logs = logs.text();
    assert!(
        logs.contains("webhook User.SuspensionStatus.Updated: 1 revocation(s) enforced"),
        "{logs}"
    );
    assert!(
        logs.lines()
            .filter(|line| line.contains(" INFO ") || line.contains(" WARN "))
            .all(|line| !line.contains("ada")),
        "{logs}"
    );
}

#[rocket::async_test]
async fn wrong_missing_and_doubled_signatures_are_refused_and_change_nothing() {
    let issuer = TestIssuer::start().await;
    let client = client(config(&issuer)).await;
    let ada = issuer.token().subject("ada").issued_at(now() - 1).sign();
    let body = suspension("ada");

    let wrong = deliver(&client, &body, Some("another-key")).await;
    assert_eq!(wrong.status(), Status::Unauthorized);
    assert_eq!(
        json(wrong).await,
        json!({"error": "invalid_signature",
               "error_description": "logto-signature-sha-256 does not match the body"})
    );
    let missing = deliver(&client, &body, None).await;
    assert_eq!(missing.status(), Status::Unauthorized);
    assert_eq!(
        json(missing).await["error_description"],
        "no logto-signature-sha-256 header"
    );
    // The right signature of another body.
    let other = client
        .post(WEBHOOK)
        .header(logto_signature_header(KEY, suspension("grace").as_bytes()))
        .body(body.clone())
        .dispatch()
        .await;
    assert_eq!(other.status(), Status::Unauthorized);
    // Two signature headers, the right one among them.
    let doubled = client
        .post(WEBHOOK)
        .header(Header::new("logto-signature-sha-256", "00"))
        .header(logto_signature_header(KEY, body.as_bytes()))
        .body(body.clone())
        .dispatch()
        .await;
    assert_eq!(doubled.status(), Status::Unauthorized);

    assert_eq!(status_of(&client, "/me", &ada).await, Status::Ok);
    let metrics = metrics(&client);
    assert_eq!(metrics.revocations, 0);
    assert_eq!(metrics.webhook_deliveries.bad_signature, 4);
}

#[rocket::async_test]
async fn a_replay_outside_the_window_is_refused_and_one_inside_changes_nothing_more() {
    let issuer = TestIssuer::start().await;
    let client =
        client(config(&issuer).webhook_replay_window(std::time::Duration::from_secs(60))).await;
    let ada = issuer.token().subject("ada").issued_at(now() - 600).sign();
    let user = |created_at: String| {
        json!({"hookId": "hook-1", "event": "User.Deleted", "createdAt": created_at,
               "data": {"id": "ada"}})
        .to_string()
    };
    // A delivery captured ten minutes ago, and one dated ten minutes ahead.
    for stale in [user(iso_time(-600)), user(iso_time(600))] {
        let response = deliver(&client, &stale, Some(KEY)).await;
        assert_eq!(response.status(), Status::BadRequest);
        assert_eq!(
            json(response).await,
            json!({"error": "stale_event",
                   "error_description": "event createdAt is outside the replay window of 60 s"})
        );
    }
    assert_eq!(status_of(&client, "/me", &ada).await, Status::Ok);
    // Within the window a repeated delivery (Logto's retry, or a replay) revokes what the first
    // did, no more.
    let body = user(iso_time(0));
    for _ in 0..2 {
        assert_eq!(
            deliver(&client, &body, Some(KEY)).await.status(),
            Status::Ok
        );
    }
    assert_eq!(status_of(&client, "/me", &ada).await, Status::Unauthorized);
    let metrics = metrics(&client);
    assert_eq!(metrics.revocations, 1);
    assert_eq!(metrics.webhook_deliveries.stale, 2);
    assert_eq!(metrics.webhook_deliveries.accepted, 2);
}

#[rocket::async_test]
async fn oversized_and_malformed_bodies_are_refused() {
    let issuer = TestIssuer::start().await;
    let client = client(config(&issuer)).await;
    // Over 1 MiB: refused before the signature is even looked at.
    let huge = format!(
        r#"{{"event":"PostSignIn","pad":"{}"}}"#,
        "x".repeat(1024 * 1024)
    );
    let response = deliver(&client, &huge, Some(KEY)).await;
    assert_eq!(response.status(), Status::PayloadTooLarge);
    assert_eq!(json(response).await["error"], "payload_too_large");
    // A full membership delta (four lists of 5,000 ids, about 0.5 MiB) fits.
    let ids: Vec<String> = (0..5000).map(|i| format!("user-{i:016}")).collect();
    let full = event(
        "Organization.Membership.Updated",
        json!({"organizationId": "o1", "addedUserIds": ids, "removedUserIds": ids,
               "addedApplicationIds": ids, "removedApplicationIds": ids}),
    );
    assert!(full.len() > 400 * 1024, "{}", full.len());
    let response = deliver(&client, &full, Some(KEY)).await;
    assert_eq!(response.status(), Status::Ok);
    // The lists reached Logto's cap: the whole organization is revoked, in one entry.
    assert_eq!(
        json(response).await,
        json!({"outcome": "accepted", "revocations": 1})
    );

    for (body, description) in [
        ("not json", "malformed event: the body is not JSON"),
        ("[]", "malformed event: the body is not a JSON object"),
        (
            r#"{"event":"User.Deleted"}"#,
            "malformed event: no `createdAt` date-time (RFC 3339, e.g. 2024-05-01T12:34:56.789Z)",
        ),
        (
            event("User.Deleted", json!({"data": {}})).as_str(),
            "malformed event: no user id (`data.id`)",
        ),
    ] {
        let response = deliver(&client, body, Some(KEY)).await;
        assert_eq!(response.status(), Status::BadRequest, "{body}");
        assert_eq!(
            json(response).await,
            json!({"error": "malformed_event", "error_description": description})
        );
    }
    // Unsigned garbage is a bad signature, not a malformed event: nothing reads an unsigned body.
    assert_eq!(
        deliver(&client, "not json", None).await.status(),
        Status::Unauthorized
    );
    let deliveries = metrics(&client).webhook_deliveries;
    assert_eq!(
        (
            deliveries.too_large,
            deliveries.malformed,
            deliveries.accepted
        ),
        (1, 4, 1)
    );
}

#[rocket::async_test]
async fn events_that_end_no_access_are_ignored() {
    let issuer = TestIssuer::start().await;
    let client = client(config(&issuer)).await;
    let ada = issuer.token().subject("ada").issued_at(now() - 1).sign();
    for body in [
        event("PostSignIn", json!({"userId": "ada"})),
        event("User.Created", json!({"data": {"id": "ada"}})),
        event(
            "User.SuspensionStatus.Updated",
            json!({"data": {"id": "ada", "isSuspended": false}}),
        ),
        event(
            "Organization.Membership.Updated",
            json!({"organizationId": "o1", "addedUserIds": ["ada"]}),
        ),
    ] {
        let response = deliver(&client, &body, Some(KEY)).await;
        assert_eq!(response.status(), Status::Ok, "{body}");
        assert_eq!(json(response).await, json!({"outcome": "ignored"}));
    }
    assert_eq!(status_of(&client, "/me", &ada).await, Status::Ok);
    let metrics = metrics(&client);
    assert_eq!(metrics.webhook_deliveries.ignored, 4);
    assert_eq!(metrics.revocations, 0);
}

#[rocket::async_test]
async fn a_removed_member_loses_that_organizations_tokens_only() {
    let issuer = TestIssuer::start().await;
    let client = client(config(&issuer)).await;
    let at = now() - 1;
    let o1 = issuer
        .token()
        .subject("ada")
        .organization_token("o1")
        .issued_at(at)
        .sign();
    let o2 = issuer
        .token()
        .subject("ada")
        .organization_token("o2")
        .issued_at(at)
        .sign();
    let grace_o1 = issuer
        .token()
        .subject("grace")
        .organization_token("o1")
        .issued_at(at)
        .sign();
    let api = issuer.token().subject("ada").issued_at(at).sign();
    let removed = event(
        "Organization.Membership.Updated",
        json!({"organizationId": "o1", "removedUserIds": ["ada"]}),
    );
    assert_eq!(
        deliver(&client, &removed, Some(KEY)).await.status(),
        Status::Ok
    );
    assert_eq!(
        status_of(&client, "/organizations/o1/members", &o1).await,
        Status::Unauthorized
    );
    assert_eq!(
        status_of(&client, "/organizations/o2/members", &o2).await,
        Status::Ok
    );
    assert_eq!(
        status_of(&client, "/organizations/o1/members", &grace_o1).await,
        Status::Ok
    );
    assert_eq!(status_of(&client, "/me", &api).await, Status::Ok);

    // The organization deleted: everyone's tokens for it.
    let deleted = event(
        "Organization.Deleted",
        json!({"method": "DELETE", "params": {"id": "o1"}}),
    );
    assert_eq!(
        deliver(&client, &deleted, Some(KEY)).await.status(),
        Status::Ok
    );
    assert_eq!(
        status_of(&client, "/organizations/o1/members", &grace_o1).await,
        Status::Unauthorized
    );
    assert_eq!(
        status_of(&client, "/organizations/o2/members", &o2).await,
        Status::Ok
    );
}

#[rocket::async_test]
async fn without_a_signing_key_nothing_is_mounted() {
    let issuer = TestIssuer::start().await;
    let client = client(issuer.config().route_audit(RouteAudit::Deny)).await;
    let response = deliver(&client, &suspension("ada"), Some(KEY)).await;
    assert_eq!(response.status(), Status::NotFound);
}

#[rocket::async_test]
async fn the_path_is_configurable_and_checked() {
    let issuer = TestIssuer::start().await;
    let client = client(config(&issuer).webhook_path("/hooks/logto")).await;
    let body = suspension("ada");
    let response = client
        .post("/hooks/logto")
        .header(logto_signature_header(KEY, body.as_bytes()))
        .body(body)
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        deliver(&client, &suspension("ada"), Some(KEY))
            .await
            .status(),
        Status::NotFound
    );

    for bad in ["logto/webhook", "/logto/<id>", "/hook?x=1", "/a b", "/a//b"] {
        let rocket = rocket::build()
            .attach(LogtoGuard::with_config(config(&issuer).webhook_path(bad)))
            .mount("/", routes![me, members]);
        assert_fairing_refuses(rocket).await;
    }
    let rocket = rocket::build()
        .attach(LogtoGuard::with_config(
            issuer.config().webhook_signing_key(" "),
        ))
        .mount("/", routes![me, members]);
    assert_fairing_refuses(rocket).await;
}

async fn assert_fairing_refuses(rocket: rocket::Rocket<rocket::Build>) {
    let error = rocket
        .ignite()
        .await
        .expect_err("the fairing refuses the config");
    assert!(
        matches!(
            error.kind(),
            rocket::error::ErrorKind::FailedFairings(failed) if failed[0].name == "logto-guard"
        ),
        "{}",
        error.kind()
    );
}
