//! The Rocket integration with small apps: configuration from the figment, the sentinels that
//! stop ignition without the fairing, optional authentication, the app's own catchers, and a restyled error body.

use logto_guard::testing::TestIssuer;
use logto_guard::{
    AccessToken, Audience, AuthError, Authorized, LogtoGuard, Organization, Requirement, Validator,
};
use logto_guard_tests::helpers::bearer;
use logto_guard_tests::logs::Logs;
use rocket::figment::Figment;
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::Client;
use rocket::request::{FromRequest, Outcome};
use rocket::{Build, Request, Rocket, catch, catchers, get, routes};

#[get("/me")]
fn me(token: AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

#[get("/maybe")]
fn maybe(token: Option<AccessToken>) -> String {
    token.map_or_else(
        || "anonymous".to_owned(),
        |t| t.subject().unwrap_or_default().to_owned(),
    )
}

#[get("/why")]
fn why(token: Result<AccessToken, AuthError>) -> String {
    match token {
        Ok(_) => "ok".to_owned(),
        Err(err) => err.to_string(),
    }
}

#[get("/teapot", rank = 2)]
fn own_unauthorized() -> Status {
    Status::Unauthorized
}

/// A request guard that always forwards, to the next route of the same path.
struct AlwaysForward;

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AlwaysForward {
    type Error = ();

    async fn from_request(_request: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Forward(Status::NotFound)
    }
}

/// Tried before `own_unauthorized`: its optional token guard refuses a bad token, then it
/// forwards.
#[get("/teapot", rank = 1)]
fn optional_then_forward(_token: Option<AccessToken>, _next: AlwaysForward) -> &'static str {
    "not reached"
}

#[catch(401)]
fn app_unauthorized() -> &'static str {
    "the app's own 401 page"
}

#[catch(404)]
fn app_not_found() -> &'static str {
    "the app's own 404 page"
}

fn app(rocket: Rocket<Build>) -> Rocket<Build> {
    rocket
        .mount(
            "/",
            routes![me, maybe, why, optional_then_forward, own_unauthorized],
        )
        .register("/", catchers![app_unauthorized, app_not_found])
}

fn figment_with(logto: serde_json::Value) -> Figment {
    rocket::Config::figment().merge(("logto", logto))
}

#[rocket::async_test]
async fn reads_the_logto_table_of_the_figment() {
    let issuer = TestIssuer::start().await;
    let figment = figment_with(serde_json::json!({
        "endpoint": issuer.endpoint(),
        "resources": [issuer.resource()],
        "leeway": 5,
    }));
    let client = Client::tracked(app(rocket::custom(figment)).attach(LogtoGuard::fairing()))
        .await
        .expect("ignites");
    let token = issuer.token().subject("user-1").sign();
    let response = client.get("/me").header(bearer(&token)).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.into_string().await.as_deref(), Some("user-1"));
}

#[rocket::async_test]
async fn invalid_config_aborts_ignite() {
    for logto in [
        serde_json::json!({}),
        serde_json::json!({"endpoint": "not a url"}),
        serde_json::json!({"endpoint": "http://logto.internal"}),
        serde_json::json!({"endpoint": "https://x.logto.app", "fetch_timeout": 0}),
        serde_json::json!({"endpoint": "https://x.logto.app", "leeway": 60000}),
        serde_json::json!({"endpoint": "https://x.logto.app", "keys_max_age": 600, "keys_max_stale": 600}),
        serde_json::json!({"endpoint": "https://x.logto.app", "jwks_uri": "https://svc:pw@x.logto.app/oidc/jwks"}),
        serde_json::json!({"endpoint": "https://x.logto.app", "algorithms": ["HS256"]}),
        serde_json::json!({"endpoint": "https://x.logto.app", "endpont": "typo"}),
    ] {
        let rocket = app(rocket::custom(figment_with(logto.clone()))).attach(LogtoGuard::fairing());
        let Err(error) = Client::tracked(rocket).await else {
            panic!("{logto} should abort ignite");
        };
        // Reading the kind also marks the error handled, so Rocket does not panic on drop.
        match error.kind() {
            rocket::error::ErrorKind::FailedFairings(failed) => {
                assert_eq!(
                    failed.iter().map(|f| f.name).collect::<Vec<_>>(),
                    ["logto-guard"]
                );
            }
            other => panic!("{logto}: {other:?}"),
        }
    }
}

/// Mounting `routes` without the fairing stops ignition: a Rocket sentinel names the guard's
/// type, and one log line says what to add.
async fn assert_sentinel_aborts(routes: Vec<rocket::Route>, sentinel: &str, guard: &str) {
    let (logs, _capturing) = Logs::capture();
    let Err(error) = Client::tracked(rocket::build().mount("/", routes)).await else {
        panic!("ignition should stop without the fairing ({guard})");
    };
    match error.kind() {
        rocket::error::ErrorKind::SentinelAborts(sentries) => {
            let names: Vec<&str> = sentries.iter().map(|s| s.type_name).collect();
            assert_eq!(names.len(), 1, "{names:?}");
            assert!(names[0].contains(sentinel), "{names:?} for {sentinel}");
        }
        other => panic!("{guard}: {other:?}"),
    }
    let logs = logs.text();
    assert_eq!(
        logs.matches(
            "logto-guard: mounted routes take its guards, but the fairing is not attached: add \
             `.attach(logto_guard::LogtoGuard::fairing())` to this Rocket"
        )
        .count(),
        1,
        "{guard}: {logs}"
    );
}

struct ReadThings;

impl Requirement for ReadThings {
    const AUDIENCE: Audience<'static> = Audience::Resource("https://api.example.com");
    const SCOPES: &'static [&'static str] = &["read:things"];
}

#[get("/things")]
fn things(_auth: Authorized<ReadThings>) {}

#[get("/organization")]
fn organization(organization: Organization) -> String {
    organization.id().to_owned()
}

#[get("/ready")]
fn ready(validator: &Validator) -> String {
    validator.issuer().to_owned()
}

#[rocket::async_test]
async fn a_missing_fairing_stops_ignition_for_every_guard() {
    assert_sentinel_aborts(routes![me], "AccessToken", "AccessToken").await;
    // `Option` would otherwise run the handler as anonymous, for every request.
    assert_sentinel_aborts(routes![maybe], "AccessToken", "AccessToken").await;
    assert_sentinel_aborts(routes![why], "AccessToken", "AccessToken").await;
    let authorized = "Authorized<rocket::ReadThings>";
    assert_sentinel_aborts(routes![things], authorized, "Authorized").await;
    assert_sentinel_aborts(routes![organization], "Organization", "Organization").await;
    assert_sentinel_aborts(routes![ready], "Validator", "Validator").await;
}

#[rocket::async_test]
async fn option_makes_authentication_optional() {
    let issuer = TestIssuer::start().await;
    let client =
        Client::tracked(app(rocket::build()).attach(LogtoGuard::with_config(issuer.config())))
            .await
            .expect("ignites");
    let response = client.get("/maybe").dispatch().await;
    assert_eq!(response.into_string().await.as_deref(), Some("anonymous"));
    let token = issuer.token().subject("user-2").sign();
    let response = client.get("/maybe").header(bearer(&token)).dispatch().await;
    assert_eq!(response.into_string().await.as_deref(), Some("user-2"));
    let response = client.get("/why").header(bearer("opaque")).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert!(
        response
            .into_string()
            .await
            .unwrap_or_default()
            .starts_with("token is not a JWT")
    );
}

#[rocket::async_test]
async fn the_apps_own_catchers_keep_unrelated_errors() {
    let issuer = TestIssuer::start().await;
    let client =
        Client::tracked(app(rocket::build()).attach(LogtoGuard::with_config(issuer.config())))
            .await
            .expect("ignites");
    let response = client.get("/nowhere").dispatch().await;
    assert_eq!(
        response.into_string().await.as_deref(),
        Some("the app's own 404 page")
    );
    let response = client.get("/teapot").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert!(response.headers().get_one("WWW-Authenticate").is_none());
    assert_eq!(
        response.into_string().await.as_deref(),
        Some("the app's own 401 page")
    );
    // A guard's rejection stays with its route: the route that answers after a forward keeps
    // its own response.
    let response = client
        .get("/teapot")
        .header(bearer("opaque"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert!(response.headers().get_one("WWW-Authenticate").is_none());
    assert_eq!(
        response.into_string().await.as_deref(),
        Some("the app's own 401 page")
    );
    // A rejection by the guard still gets the RFC 6750 response.
    let response = client.get("/me").dispatch().await;
    assert_eq!(
        response.headers().get_one("WWW-Authenticate"),
        Some(r#"Bearer realm="api""#)
    );
    assert_eq!(response.content_type(), Some(ContentType::JSON));
}

fn plain(error: &AuthError) -> (ContentType, String) {
    (ContentType::Plain, format!("denied: {error}"))
}

#[rocket::async_test]
async fn the_error_body_can_be_restyled() {
    let issuer = TestIssuer::start().await;
    let guard = LogtoGuard::with_config(issuer.config().realm("orders")).error_body(plain);
    let client = Client::tracked(app(rocket::build()).attach(guard))
        .await
        .expect("ignites");
    let token = issuer.token().expires_at(1_000).sign();
    let response = client.get("/me").header(bearer(&token)).dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert_eq!(
        response.headers().get_one("WWW-Authenticate"),
        Some(r#"Bearer realm="orders", error="invalid_token", error_description="token expired""#)
    );
    assert_eq!(response.content_type(), Some(ContentType::Plain));
    assert_eq!(
        response.into_string().await.as_deref(),
        Some("denied: token expired")
    );
}

#[rocket::async_test]
async fn access_token_requires_a_configured_resource() {
    let issuer = TestIssuer::start().await;
    let client =
        Client::tracked(app(rocket::build()).attach(LogtoGuard::with_config(issuer.config())))
            .await
            .expect("ignites");
    let token = issuer.token().audience("https://other.example.com").sign();
    let response = client.get("/me").header(bearer(&token)).dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
    let challenge = response
        .headers()
        .get_one("WWW-Authenticate")
        .unwrap_or_default()
        .to_owned();
    // Neither the header nor the body tells a caller which APIs this server accepts.
    assert_eq!(
        challenge,
        "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"audience \
         mismatch: the token is not for this API\""
    );
    assert_eq!(
        response.into_string().await.as_deref(),
        Some(
            r#"{"error":"invalid_token","error_description":"audience mismatch: the token is not for this API"}"#
        )
    );
}

/// Declared in this binary but never mounted, like a dependency's handler.
#[logto_guard::requires(resource = "https://unmounted.example.com", scope = "read:x")]
#[get("/unmounted")]
fn unmounted() {}

/// Declared and mounted only in `access_token_trusts_the_resources_of_mounted_routes_only`.
#[logto_guard::requires(resource = "https://mounted.example.com")]
#[get("/mounted")]
fn mounted() {}

#[rocket::async_test]
async fn access_token_trusts_the_resources_of_mounted_routes_only() {
    // `unmounted` is linked in but not mounted: its resource is not trusted by `AccessToken`.
    let _ = unmounted;
    let issuer = TestIssuer::start().await;
    let rocket = app(rocket::build())
        .mount("/", routes![mounted])
        .attach(LogtoGuard::with_config(issuer.config()));
    let client = Client::tracked(rocket).await.expect("ignites");
    let validator = LogtoGuard::validator(client.rocket()).expect("the fairing ran");
    assert_eq!(
        validator.resources(),
        ["https://api.example.com", "https://mounted.example.com"]
    );

    let token = issuer
        .token()
        .audience("https://mounted.example.com")
        .sign();
    let response = client.get("/me").header(bearer(&token)).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let token = issuer
        .token()
        .audience("https://unmounted.example.com")
        .sign();
    let response = client.get("/me").header(bearer(&token)).dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
}

/// An organization route whose token lacks `admin`: its guard refuses it with 403.
#[logto_guard::requires(resource = "https://api.example.com", organization, scope = "admin")]
#[get("/org/admin")]
fn org_admin() {}

/// An organization route that lets the token through, then answers an error of its own.
#[logto_guard::requires(resource = "https://api.example.com", organization, scope = "read")]
#[get("/org/<status>")]
fn org_fails(status: u16) -> Status {
    Status::from_code(status).unwrap_or(Status::InternalServerError)
}

/// An app catcher that asks for a plain `AccessToken`, as a catcher that greets the user would.
async fn catcher_with_a_token(request: &Request<'_>, page: &str) -> String {
    let token = match request.guard::<AccessToken>().await {
        rocket::outcome::Outcome::Success(_) => "accepted",
        _ => "refused",
    };
    format!("{page}; the catcher's AccessToken: {token}")
}

#[catch(403)]
async fn forbidden_page(request: &Request<'_>) -> String {
    catcher_with_a_token(request, "the app's own 403 page").await
}

#[catch(409)]
async fn conflict_page(request: &Request<'_>) -> String {
    catcher_with_a_token(request, "the app's own 409 page").await
}

async fn app_with_token_catchers(issuer: &TestIssuer) -> Client {
    let rocket = rocket::build()
        .mount("/", routes![org_admin, org_fails])
        .register("/", catchers![forbidden_page, conflict_page])
        .attach(LogtoGuard::with_config(issuer.config()));
    Client::tracked(rocket).await.expect("ignites")
}

#[rocket::async_test]
async fn a_guard_in_a_catcher_does_not_replace_the_routes_rejection() {
    let issuer = TestIssuer::start().await;
    let client = app_with_token_catchers(&issuer).await;
    // The route refuses it for the scope; the catcher's plain `AccessToken` would refuse it
    // for its organization.
    let token = issuer
        .token()
        .organization_id("org-a")
        .scopes(["read"])
        .sign();
    let response = client
        .get("/org/admin")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    let challenge = response
        .headers()
        .get_one("WWW-Authenticate")
        .map(str::to_owned);
    assert!(
        challenge
            .as_deref()
            .is_some_and(|c| c.contains(r#"scope="admin""#)),
        "{challenge:?}"
    );
    let body = response.into_string().await.unwrap_or_default();
    assert!(body.contains("insufficient_scope"), "{body}");
    let validator = LogtoGuard::validator(client.rocket()).expect("the fairing ran");
    let reasons: Vec<&str> = validator
        .metrics()
        .rejections
        .iter()
        .map(|r| r.reason)
        .collect();
    assert_eq!(reasons, ["insufficient_scope"]);
}

#[rocket::async_test]
async fn a_catcher_after_a_route_that_let_the_token_through_keeps_its_page_and_the_plain_rule() {
    let issuer = TestIssuer::start().await;
    let client = app_with_token_catchers(&issuer).await;
    let token = issuer
        .token()
        .organization_id("org-a")
        .scopes(["read"])
        .sign();
    // An organization-level token: the route's requirement accepted it, the plain
    // `AccessToken` rule does not, in the catcher as anywhere but on the route itself.
    let response = client
        .get("/org/409")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Conflict);
    assert_eq!(
        response.into_string().await.as_deref(),
        Some("the app's own 409 page; the catcher's AccessToken: refused")
    );
    // The route's own 403 is not a rejection of a guard: the catcher's page stays.
    let response = client
        .get("/org/403")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    assert!(response.headers().get_one("WWW-Authenticate").is_none());
    assert_eq!(
        response.into_string().await.as_deref(),
        Some("the app's own 403 page; the catcher's AccessToken: refused")
    );
}

#[logto_guard::requires(resource = "https://api.example.com", scope = "read:a")]
#[get("/a")]
fn read_a() {}

#[logto_guard::requires(resource = "https://api.example.com", scope = "read:b")]
#[get("/b")]
fn read_b() {}

#[rocket::async_test]
async fn a_missing_fairing_is_reported_once_naming_the_marked_routes() {
    let (logs, _capturing) = Logs::capture();
    // Three guard types (two requirements and `AccessToken`), each queried by Rocket.
    let rocket = rocket::build().mount("/", routes![read_a, read_b, me]);
    let Err(error) = Client::tracked(rocket).await else {
        panic!("ignition should stop without the fairing");
    };
    match error.kind() {
        rocket::error::ErrorKind::SentinelAborts(sentries) => assert_eq!(sentries.len(), 3),
        other => panic!("{other:?}"),
    }
    let logs = logs.text();
    let line = "logto-guard: mounted routes (GET /a, GET /b) take its guards, but the fairing is \
                not attached: add `.attach(logto_guard::LogtoGuard::fairing())` to this Rocket";
    assert_eq!(logs.matches(line).count(), 1, "{logs}");
    assert_eq!(logs.matches("fairing is not attached").count(), 1, "{logs}");
}

#[rocket::async_test]
async fn a_second_fairing_is_refused_at_ignite_with_one_line() {
    let issuer = TestIssuer::start().await;
    let (logs, _capturing) = Logs::capture();
    // An app that attaches its fairing, and a test that attaches another one.
    let rocket = app(rocket::build())
        .attach(LogtoGuard::with_config(issuer.config()))
        .attach(LogtoGuard::with_config(issuer.config()));
    let Err(error) = Client::tracked(rocket).await else {
        panic!("two fairings should not ignite");
    };
    match error.kind() {
        rocket::error::ErrorKind::FailedFairings(failed) => {
            assert_eq!(
                failed.iter().map(|f| f.name).collect::<Vec<_>>(),
                ["logto-guard"]
            );
        }
        other => panic!("{other:?}"),
    }
    let logs = logs.text();
    assert!(
        logs.contains(
            "logto-guard: LogtoGuard is attached twice; attach it once (in a test, build the app \
             without its fairing and attach `LogtoGuard::with_config(..)` alone)"
        ),
        "{logs}"
    );
    assert!(!logs.contains("already being managed"), "{logs}");
}

#[rocket::async_test]
async fn an_endpoint_ending_in_oidc_is_refused_at_ignite_with_the_endpoint_to_set() {
    let (logs, _capturing) = Logs::capture();
    let rocket = app(rocket::build()).attach(LogtoGuard::with_config(logto_guard::Config::new(
        "http://127.0.0.1:3001/oidc/",
    )));
    let Err(error) = Client::tracked(rocket).await else {
        panic!("an issuer as endpoint should not ignite");
    };
    assert!(matches!(
        error.kind(),
        rocket::error::ErrorKind::FailedFairings(_)
    ));
    assert_eq!(
        logto_guard::Config::new("https://my-tenant.logto.app/oidc")
            .check()
            .unwrap_err()
            .to_string(),
        "`endpoint` https://my-tenant.logto.app/oidc ends in /oidc, which the issuer adds: set \
         `endpoint` to https://my-tenant.logto.app (the issuer is then \
         https://my-tenant.logto.app/oidc)"
    );
    drop(logs);
}

#[rocket::async_test]
async fn rejections_use_the_libraries_catchers_unless_the_app_has_its_own() {
    let issuer = TestIssuer::start().await;
    let client = Client::tracked(
        rocket::build()
            .mount("/", routes![me])
            .attach(LogtoGuard::with_config(issuer.config())),
    )
    .await
    .expect("ignites");
    let codes = |client: &Client| {
        client
            .rocket()
            .catchers()
            .filter(|catcher| catcher.name.as_deref() == Some("logto-guard"))
            .filter_map(|catcher| catcher.code)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    };
    // So Rocket does not warn "No 401 catcher registered" for a response the library renders.
    assert_eq!(codes(&client), [400, 401, 403, 503]);
    let response = client.get("/me").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert_eq!(
        response.into_string().await.as_deref(),
        Some(r#"{"error_description":"bearer token required"}"#)
    );

    // The app's own 401 catcher stays, and no catcher of ours shadows it.
    let client =
        Client::tracked(app(rocket::build()).attach(LogtoGuard::with_config(issuer.config())))
            .await
            .expect("ignites");
    assert_eq!(codes(&client), [400, 403, 503]);
}
