//! The route audit at the end of ignite: every mounted route is guarded (`#[requires]`,
//! `#[guarded]`) or public (`#[public]`, `public_routes`, a `FileServer`); anything else aborts
//! ignite with `deny`, is logged with `warn`, and `auto` denies here because this binary uses
//! `#[public]`. A marked handler counts only if it is mounted itself.

use logto_guard::testing::TestIssuer;
use logto_guard::{AccessToken, Config, LogtoGuard, RouteAudit, guarded, public, requires};
use logto_guard_tests::logs::Logs;
use rocket::http::{Method, Status};
use rocket::local::asynchronous::Client;
use rocket::route::{Handler, Outcome};
use rocket::{Build, Data, Request, Rocket, Route, get, routes};

#[requires(resource = "https://api.example.com", scope = "read:things")]
#[get("/things")]
fn audit_things() -> &'static str {
    "things"
}

#[public]
#[get("/health")]
fn audit_health() -> &'static str {
    "ok"
}

#[public]
#[get("/status")]
fn audit_status() -> &'static str {
    "ok"
}

#[guarded]
#[get("/me")]
fn audit_me(token: AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

#[get("/admin")]
fn audit_admin() -> &'static str {
    "anyone can get here"
}

#[rocket::post("/admin")]
fn audit_admin_post() -> &'static str {
    "anyone can post here"
}

/// A hand-built route without a name.
#[derive(Clone)]
struct Anonymous;

#[rocket::async_trait]
impl Handler for Anonymous {
    async fn handle<'r>(&self, request: &'r Request<'_>, _: Data<'r>) -> Outcome<'r> {
        Outcome::from(request, "anonymous")
    }
}

fn audited_routes() -> Vec<Route> {
    routes![audit_things, audit_health, audit_status, audit_me]
}

fn app(config: Config, extra: Vec<Route>) -> Rocket<Build> {
    rocket::build()
        .attach(LogtoGuard::with_config(config))
        .mount("/", audited_routes())
        .mount("/", extra)
}

/// Asserts that the route audit aborted ignite: it runs in logto-guard's sentinel at the end
/// of ignite, once every mounted handler has proved to be mounted.
async fn assert_aborts(rocket: Rocket<Build>) {
    let Err(error) = Client::tracked(rocket).await else {
        panic!("ignite should abort");
    };
    // Reading the kind also marks the error handled, so Rocket does not panic on drop.
    match error.kind() {
        rocket::error::ErrorKind::SentinelAborts(sentries) => {
            let aborted: Vec<&str> = sentries.iter().map(|s| s.type_name).collect();
            assert_eq!(
                aborted,
                ["logto_guard::rocket::fairing::AuditMountedRoutes"]
            );
        }
        other => panic!("{other:?}"),
    }
}

/// Asserts that the logto-guard fairing refused its config at ignite.
async fn assert_config_refused(rocket: Rocket<Build>) {
    let Err(error) = Client::tracked(rocket).await else {
        panic!("ignite should abort");
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
}

#[rocket::async_test]
async fn deny_aborts_ignite_naming_each_unguarded_route_and_the_fix() {
    let issuer = TestIssuer::start().await;
    let (logs, _guard) = Logs::capture();
    let config = issuer.config().route_audit(RouteAudit::Deny);
    assert_aborts(app(config, routes![audit_admin, audit_admin_post])).await;
    let logs = logs.text();
    for route in [
        "GET /admin (handler `audit_admin`)",
        "POST /admin (handler `audit_admin_post`)",
    ] {
        assert!(
            logs.contains(&format!("{route} is neither guarded nor public")),
            "{logs}"
        );
    }
    assert!(logs.contains("#[public] if anyone may call it"), "{logs}");
    assert!(
        logs.contains("list \"GET /admin\" in `public_routes`"),
        "{logs}"
    );
    assert!(
        logs.contains("route audit failed: 2 route(s) neither guarded nor public"),
        "{logs}"
    );
    // Guarded and public routes are not reported.
    for fine in ["/things", "/health", "/status", "/me"] {
        assert!(!logs.contains(&format!("GET {fine} (")), "{logs}");
    }
}

#[rocket::async_test]
async fn auto_denies_once_the_binary_marks_routes() {
    let issuer = TestIssuer::start().await;
    assert_eq!(
        Config::default(),
        Config::default().route_audit(RouteAudit::Auto)
    );
    let (logs, _guard) = Logs::capture();
    assert_aborts(app(issuer.config(), routes![audit_admin])).await;
    assert!(
        logs.text()
            .contains("`route_audit` is `auto`, which denies once the app marks routes"),
        "{}",
        logs.text()
    );
}

#[rocket::async_test]
async fn marked_routes_pass_and_serve() {
    let issuer = TestIssuer::start().await;
    let (logs, _guard) = Logs::capture();
    let client = Client::tracked(app(issuer.config(), vec![]))
        .await
        .expect("every route is guarded or public");
    assert!(
        logs.text()
            .contains("route audit: 2 routes guarded, 2 public"),
        "{}",
        logs.text()
    );
    assert_eq!(client.get("/health").dispatch().await.status(), Status::Ok);
    assert_eq!(client.get("/status").dispatch().await.status(), Status::Ok);
    assert_eq!(
        client.get("/me").dispatch().await.status(),
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn public_routes_config_makes_a_route_public() {
    let issuer = TestIssuer::start().await;
    for entries in [
        vec!["GET /admin", "post /admin"],
        vec!["/admin"],
        vec!["  GET   /admin ", "/admin"],
    ] {
        let mut config = issuer.config().route_audit(RouteAudit::Deny);
        for entry in &entries {
            config = config.public_route(*entry);
        }
        let client = Client::tracked(app(config, routes![audit_admin, audit_admin_post]))
            .await
            .unwrap_or_else(|e| panic!("{entries:?}: {}", e.kind()));
        assert_eq!(client.get("/admin").dispatch().await.status(), Status::Ok);
    }
    // A method-qualified entry covers only that method.
    let config = issuer
        .config()
        .route_audit(RouteAudit::Deny)
        .public_route("GET /admin");
    assert_aborts(app(config, routes![audit_admin, audit_admin_post])).await;
}

#[rocket::async_test]
async fn public_routes_entries_are_checked() {
    let issuer = TestIssuer::start().await;
    let (logs, _guard) = Logs::capture();
    for bad in ["admin", "FETCH /admin", "GET", "/admin?x=1", "GET /a b"] {
        let config = issuer.config().public_route(bad);
        let error = config.check().expect_err(bad).to_string();
        assert!(
            error.starts_with(&format!("public route `{bad}` must be a mounted path")),
            "{error}"
        );
        assert_config_refused(app(config, vec![])).await;
    }
    // An entry that matches nothing is a warning, not an error.
    Client::tracked(app(issuer.config().public_route("/nowhere"), vec![]))
        .await
        .expect("ignites");
    assert!(
        logs.text()
            .contains("the `public_routes` entry \"/nowhere\" matches no mounted route"),
        "{}",
        logs.text()
    );
}

#[rocket::async_test]
async fn warn_logs_and_starts() {
    let issuer = TestIssuer::start().await;
    let (logs, _guard) = Logs::capture();
    let config = issuer.config().route_audit(RouteAudit::Warn);
    let client = Client::tracked(app(config, routes![audit_admin]))
        .await
        .expect("warn mode starts");
    let logs = logs.text();
    assert!(
        logs.contains(" WARN ")
            && logs.contains("GET /admin (handler `audit_admin`) is neither guarded nor public"),
        "{logs}"
    );
    assert!(
        logs.contains("set `route_audit = \"deny\"` to refuse to start instead"),
        "{logs}"
    );
    assert_eq!(client.get("/admin").dispatch().await.status(), Status::Ok);
}

#[rocket::async_test]
async fn off_does_not_audit() {
    let issuer = TestIssuer::start().await;
    let (logs, _guard) = Logs::capture();
    let config = issuer.config().route_audit(RouteAudit::Off);
    Client::tracked(app(config, routes![audit_admin]))
        .await
        .expect("off starts");
    assert!(!logs.text().contains("route audit"), "{}", logs.text());
}

#[rocket::async_test]
async fn file_servers_are_public_and_unnamed_routes_need_the_config() {
    let issuer = TestIssuer::start().await;
    let static_files = rocket::fs::FileServer::from(env!("CARGO_MANIFEST_DIR"));
    let deny = || issuer.config().route_audit(RouteAudit::Deny);
    let rocket = app(deny(), vec![]).mount("/static", static_files.clone());
    Client::tracked(rocket)
        .await
        .expect("a FileServer is public");

    let anonymous = || vec![Route::new(Method::Get, "/anonymous", Anonymous)];
    let (logs, _guard) = Logs::capture();
    assert_aborts(app(deny(), anonymous())).await;
    assert!(
        logs.text().contains(
            "GET /anonymous (a route without a handler name) is neither guarded nor public: \
             list \"GET /anonymous\" in `public_routes`"
        ),
        "{}",
        logs.text()
    );
    Client::tracked(app(deny().public_route("GET /anonymous"), anonymous()))
        .await
        .expect("listed in public_routes");
}

#[rocket::async_test]
async fn the_metadata_routes_are_not_reported() {
    let issuer = TestIssuer::start().await;
    let config = issuer
        .config()
        .route_audit(RouteAudit::Deny)
        .resource_metadata(true);
    let client = Client::tracked(app(config, vec![]))
        .await
        .expect("the metadata routes are the fairing's own");
    let response = client
        .get("/.well-known/oauth-protected-resource")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
}

/// Two handlers named `list` in two modules, one guarded and one not: the route audit tells
/// them apart by method and path, where matching by fn name alone counted `/b` as guarded.
mod a {
    #[logto_guard::requires(resource = "https://api.example.com", scope = "read:a")]
    #[rocket::get("/a")]
    pub(super) fn list() -> &'static str {
        "a"
    }
}

mod b {
    #[rocket::get("/b")]
    pub(super) fn list() -> &'static str {
        "anyone"
    }
}

#[rocket::async_test]
async fn same_name_handlers_in_two_modules_are_audited_apart() {
    let issuer = TestIssuer::start().await;
    let (logs, _guard) = Logs::capture();
    let config = issuer.config().route_audit(RouteAudit::Deny);
    assert_aborts(app(config.clone(), routes![a::list, b::list])).await;
    let logs = logs.text();
    assert!(
        logs.contains("GET /b (handler `list`) is neither guarded nor public"),
        "{logs}"
    );
    assert!(!logs.contains("GET /a (handler `list`)"), "{logs}");
    assert!(
        logs.contains("route audit failed: 1 route(s) neither guarded nor public"),
        "{logs}"
    );

    // The guarded one alone, mounted at two bases, passes.
    let rocket = app(config, vec![]).mount("/v2", routes![a::list]);
    Client::tracked(rocket)
        .await
        .expect("every route is guarded");
}

/// Marked handlers that are not mounted, each next to an unmarked twin of the same fn name,
/// method and path in another module that is: a Rocket route carries only those three, so only
/// a proof that the marked handler itself is mounted may count for the route.
mod v1 {
    use logto_guard::AccessToken;

    #[logto_guard::requires(resource = "https://twin.example.com", scope = "admin")]
    #[rocket::get("/admin")]
    pub(super) fn twin_admin() -> &'static str {
        "v1"
    }

    #[logto_guard::guarded]
    #[rocket::get("/me")]
    pub(super) fn twin_me(token: AccessToken) -> String {
        token.subject().unwrap_or_default().to_owned()
    }

    #[logto_guard::public]
    #[rocket::get("/health")]
    pub(super) fn twin_health() -> &'static str {
        "ok"
    }
}

mod v2 {
    #[rocket::get("/admin")]
    pub(super) fn twin_admin() -> &'static str {
        "anyone"
    }

    #[rocket::get("/me")]
    pub(super) fn twin_me() -> &'static str {
        "anyone"
    }

    #[rocket::get("/health")]
    pub(super) fn twin_health() -> &'static str {
        "anyone"
    }
}

#[rocket::async_test]
async fn an_unmounted_marked_handler_does_not_vouch_for_its_mounted_twin() {
    let issuer = TestIssuer::start().await;
    let (logs, _guard) = Logs::capture();
    let config = issuer.config().route_audit(RouteAudit::Deny);
    let twins = routes![v2::twin_admin, v2::twin_me, v2::twin_health];
    assert_aborts(app(config, vec![]).mount("/v2", twins)).await;
    let logs = logs.text();
    for route in [
        "GET /v2/admin (handler `twin_admin`)",
        "GET /v2/me (handler `twin_me`)",
        "GET /v2/health (handler `twin_health`)",
    ] {
        assert!(
            logs.contains(&format!("{route} is neither guarded nor public")),
            "{logs}"
        );
    }
}

#[rocket::async_test]
async fn a_plain_access_token_trusts_no_resource_of_an_unmounted_handler() {
    let issuer = TestIssuer::start().await;
    let config = issuer.config().route_audit(RouteAudit::Warn);
    let client = Client::tracked(app(config, vec![]).mount("/v2", routes![v2::twin_admin]))
        .await
        .expect("warn mode starts");
    let twin = issuer.token().audience("https://twin.example.com").sign();
    let response = client
        .get("/me")
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {twin}"),
        ))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
}

#[rocket::async_test]
async fn a_mounted_marked_handler_vouches_for_its_route_and_resource() {
    let issuer = TestIssuer::start().await;
    let config = issuer.config().route_audit(RouteAudit::Deny);
    let marked = routes![v1::twin_admin, v1::twin_me, v1::twin_health];
    let client = Client::tracked(app(config, vec![]).mount("/v1", marked))
        .await
        .expect("every route is guarded or public");
    let twin = issuer.token().audience("https://twin.example.com").sign();
    let response = client
        .get("/v1/me")
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {twin}"),
        ))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        client.get("/v1/admin").dispatch().await.status(),
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn routes_of_a_later_ignite_fairing_are_audited() {
    let issuer = TestIssuer::start().await;
    let (logs, _guard) = Logs::capture();
    let config = issuer.config().route_audit(RouteAudit::Deny);
    let late = rocket::fairing::AdHoc::on_ignite("late routes", |rocket| async {
        rocket.mount("/late", routes![audit_admin])
    });
    assert_aborts(app(config, vec![]).attach(late)).await;
    assert!(
        logs.text()
            .contains("GET /late/admin (handler `audit_admin`) is neither guarded nor public"),
        "{}",
        logs.text()
    );
}

#[rocket::async_test]
async fn the_manifest_of_an_ignited_rocket_is_what_the_runtime_trusts() {
    use logto_guard::manifest::Manifest;

    let issuer = TestIssuer::start().await;
    let config = issuer.config().route_audit(RouteAudit::Warn);
    let client = Client::tracked(app(config, vec![]).mount("/v2", routes![v2::twin_admin]))
        .await
        .expect("warn mode starts");
    // `v1::twin_admin` is not mounted: its unmarked twin's route does not make it so.
    let manifest = Manifest::collect_with_routes(client.rocket());
    assert!(
        manifest.resource("https://twin.example.com").is_none(),
        "{}",
        manifest.to_json()
    );
    let things = manifest
        .resource("https://api.example.com")
        .expect("mounted");
    assert!(things.permission("read:things").is_some());
}
