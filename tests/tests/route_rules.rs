//! The rules a route states beyond scopes, in process over Rocket's local client: client
//! groups (`clients = ".."`, with their ids from the config) and custom checks
//! (`check = path`), and what the manifest and the ignite say about them.

use std::sync::atomic::{AtomicUsize, Ordering};

use logto_guard::manifest::Manifest;
use logto_guard::testing::TestIssuer;
use logto_guard::{
    AccessToken, Audience, Authorized, Config, Declaration, Denied, LogtoGuard, Requirement,
    requires,
};
use logto_guard_tests::helpers::bearer;
use logto_guard_tests::logs::Logs;
use rocket::http::Status;
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{Build, Rocket, get, post, routes};

const API: &str = "https://api.example.com";

#[requires(resource = API, scope = "write:orders", clients = "billing")]
#[post("/orders/<id>/paid")]
fn mark_paid(id: u64) -> String {
    format!("{id} paid")
}

#[requires(resource = API, clients = "support")]
#[get("/tickets")]
fn tickets() {}

/// How many times [`gold_plan`] ran.
static GOLD_CHECKS: AtomicUsize = AtomicUsize::new(0);

/// Logto's Custom JWT adds `plan`; only `gold` opens the reports.
fn gold_plan(token: &AccessToken) -> Result<(), Denied> {
    GOLD_CHECKS.fetch_add(1, Ordering::SeqCst);
    match token.claim::<String>("plan") {
        Some(Ok(plan)) if plan == "gold" => Ok(()),
        _ => Err(Denied::new("this route needs the gold plan")),
    }
}

#[requires(resource = API, scope = "read:reports", check = gold_plan)]
#[get("/reports")]
fn reports() -> &'static str {
    "reports"
}

async fn client(config: Config) -> Client {
    let rocket = rocket::build()
        .attach(LogtoGuard::with_config(config))
        .mount("/", routes![mark_paid, reports]);
    Client::tracked(rocket).await.expect("ignite")
}

/// What ignite logged when a sentinel stopped it, as a missing client group must.
async fn aborted_ignite_logs(rocket: Rocket<Build>) -> String {
    let (logs, _capturing) = Logs::capture();
    let Err(error) = Client::tracked(rocket).await else {
        panic!("a missing group must stop ignite");
    };
    assert!(
        matches!(error.kind(), rocket::error::ErrorKind::SentinelAborts(_)),
        "{error:?}"
    );
    logs.text()
}

/// `POST path` with `token` as its bearer token.
async fn post_with<'c>(client: &'c Client, path: &'static str, token: &str) -> LocalResponse<'c> {
    client.post(path).header(bearer(token)).dispatch().await
}

fn challenge(response: &LocalResponse<'_>) -> String {
    response
        .headers()
        .get_one("WWW-Authenticate")
        .unwrap_or_default()
        .to_owned()
}

#[rocket::async_test]
async fn a_client_group_admits_its_client_ids_only() {
    let issuer = TestIssuer::start().await;
    let client = client(issuer.config().client_group(
        "billing",
        ["billing-app", "https://billing.example.com/client.json"],
    ))
    .await;
    let client = &client;
    let paid =
        move |token: String| async move { post_with(client, "/orders/7/paid", &token).await };
    for billing in ["billing-app", "https://billing.example.com/client.json"] {
        let token = issuer
            .token()
            .client_id(billing)
            .scopes(["write:orders"])
            .sign();
        let response = paid(token).await;
        assert_eq!(response.status(), Status::Ok, "{billing}");
        assert_eq!(response.into_string().await.as_deref(), Some("7 paid"));
    }

    // Another app, with every scope; an app id that only starts like one of the group's; and
    // a token without `client_id`.
    let other = issuer
        .token()
        .client_id("m2m-app")
        .scopes(["write:orders"])
        .sign();
    let prefix = issuer
        .token()
        .client_id("https://billing.example.com/client.json/evil")
        .scopes(["write:orders"])
        .sign();
    let none = issuer
        .token()
        .without_claim("client_id")
        .scopes(["write:orders"])
        .sign();
    for token in [other, prefix, none] {
        let response = paid(token).await;
        assert_eq!(response.status(), Status::Forbidden);
        assert_eq!(
            challenge(&response),
            "Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"this route \
             accepts only the clients of group `billing`\""
        );
    }

    // The scopes are still required of the group's apps.
    let no_scope = issuer
        .token()
        .client_id("billing-app")
        .scopes(["read:orders"])
        .sign();
    assert_eq!(paid(no_scope).await.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn a_group_that_a_mounted_route_names_but_the_config_lacks_aborts_ignite_naming_it() {
    let issuer = TestIssuer::start().await;
    let logs = aborted_ignite_logs(
        rocket::build()
            .attach(LogtoGuard::with_config(
                issuer.config().client_group("support", ["helpdesk-app"]),
            ))
            .mount("/", routes![mark_paid, tickets])
            .mount("/v2", routes![mark_paid]),
    )
    .await;
    let line = "logto-guard: client group `billing` is named by POST /orders/<id>/paid, POST \
                /v2/orders/<id>/paid but not configured: list its client ids in the \
                `logto.clients` table (`billing = [\"<app id>\", ..]`) or in LOGTO_CLIENTS_BILLING";
    assert_eq!(logs.matches(line).count(), 1, "{logs}");
    assert!(
        !logs.contains("`support`"),
        "a configured group is fine: {logs}"
    );
}

/// A requirement written by hand, with a client group.
struct RefundsByHand;

impl Requirement for RefundsByHand {
    const AUDIENCE: Audience<'static> = Audience::Resource(API);
    const SCOPES: &'static [&'static str] = &["refund:orders"];
    const CLIENT_GROUP: Option<&'static str> = Some("refunds");
}

#[post("/refunds")]
fn refunds(_auth: Authorized<RefundsByHand>) {}

#[rocket::async_test]
async fn a_hand_written_requirements_missing_group_aborts_ignite_too() {
    let issuer = TestIssuer::start().await;
    let logs = aborted_ignite_logs(
        rocket::build()
            .attach(LogtoGuard::with_config(issuer.config()))
            .mount("/", routes![refunds]),
    )
    .await;
    let line = "logto-guard: a requirement names the client group `refunds`, which the config \
                does not list: add it to the `logto.clients` table or set LOGTO_CLIENTS_REFUNDS";
    assert_eq!(logs.matches(line).count(), 1, "{logs}");

    // Configured, it ignites and admits the group's apps only.
    let client = Client::tracked(
        rocket::build()
            .attach(LogtoGuard::with_config(
                issuer.config().client_group("refunds", ["refund-app"]),
            ))
            .mount("/", routes![refunds]),
    )
    .await
    .expect("ignite");
    let token = |app: &str| {
        issuer
            .token()
            .client_id(app)
            .scopes(["refund:orders"])
            .sign()
    };
    for (app, status) in [("refund-app", Status::Ok), ("m2m-app", Status::Forbidden)] {
        let response = post_with(&client, "/refunds", &token(app)).await;
        assert_eq!(response.status(), status, "{app}");
    }
}

#[rocket::async_test]
async fn a_custom_check_runs_after_the_built_in_checks_and_its_denial_is_a_403() {
    let issuer = TestIssuer::start().await;
    let client = client(issuer.config().client_group("billing", ["billing-app"])).await;
    let reports = |token: String| {
        let client = &client;
        async move {
            client
                .get("/reports")
                .header(bearer(&token))
                .dispatch()
                .await
        }
    };

    let gold = issuer
        .token()
        .scopes(["read:reports"])
        .claim("plan", "gold")
        .sign();
    let response = reports(gold).await;
    assert_eq!(response.status(), Status::Ok);

    let silver = issuer
        .token()
        .scopes(["read:reports"])
        .claim("plan", "silver")
        .sign();
    let response = reports(silver).await;
    assert_eq!(response.status(), Status::Forbidden);
    assert_eq!(
        challenge(&response),
        "Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"this route \
         needs the gold plan\""
    );
    let body: serde_json::Value =
        serde_json::from_str(&response.into_string().await.expect("body")).expect("JSON");
    assert_eq!(body["error_description"], "this route needs the gold plan");

    // A token the built-in checks refuse never reaches the custom check.
    let runs = GOLD_CHECKS.load(Ordering::SeqCst);
    let no_scope = issuer
        .token()
        .scopes(["read:orders"])
        .claim("plan", "gold")
        .sign();
    let response = reports(no_scope).await;
    assert_eq!(response.status(), Status::Forbidden);
    assert!(challenge(&response).contains("token lacks a required scope: read:reports"));
    let expired = issuer
        .token()
        .scopes(["read:reports"])
        .claim("plan", "gold")
        .expires_at(1_000_000)
        .sign();
    assert_eq!(reports(expired).await.status(), Status::Unauthorized);
    assert_eq!(
        GOLD_CHECKS.load(Ordering::SeqCst),
        runs,
        "the check did not run"
    );
}

#[test]
fn the_manifest_names_the_group_and_the_check() {
    let manifest = Manifest::from_declarations(
        Declaration::all().filter(|declaration| declaration.resource() == Some(API)),
    );
    let json: serde_json::Value = serde_json::from_str(&manifest.to_json()).expect("JSON");
    let resource = &json["resources"][0];
    let handler = |scope: &str| {
        resource["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .find(|permission| permission["name"] == scope)
            .map(|permission| permission["handlers"][0].clone())
            .expect(scope)
    };
    assert_eq!(
        handler("write:orders"),
        serde_json::json!({"name": "route_rules::mark_paid", "clients": "billing"})
    );
    assert_eq!(
        handler("read:reports"),
        serde_json::json!({"name": "route_rules::reports", "check": "gold_plan"})
    );
}
