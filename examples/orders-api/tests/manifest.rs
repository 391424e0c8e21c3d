//! The built `orders-api` binary's `manifest` and `sync` subcommands, and the committed
//! `manifest.json` kept as a snapshot. `sync` talks to the fake Management API (Logto's cannot
//! run here).

use std::process::Output;

use logto_guard::LogtoGuard;
use logto_guard::manifest::Manifest;
use logto_guard_tests::fake_management::{APP_ID, APP_SECRET, FakeManagement};
use logto_guard_tests::helpers::text;
use orders_api::app;
use serde_json::Value;
use tokio::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_orders-api");
const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/manifest.json");
const REGENERATE: &str =
    "regenerate it with `cargo run -p orders-api -- manifest > examples/orders-api/manifest.json`";

/// Runs the binary with `args` and only the Logto variables in `env`.
async fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BINARY);
    command.args(args).env("ROCKET_CLI_COLORS", "false");
    for variable in [
        "LOGTO_ENDPOINT",
        "LOGTO_M2M_APP_ID",
        "LOGTO_M2M_APP_SECRET",
        "LOGTO_MANAGEMENT_RESOURCE",
    ] {
        command.env_remove(variable);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().await.expect("run orders-api")
}

fn committed() -> String {
    std::fs::read_to_string(COMMITTED).expect("examples/orders-api/manifest.json")
}

#[tokio::test]
async fn manifest_prints_exactly_the_committed_file() {
    let output = run(&["manifest"], &[]).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout) == committed(),
        "`orders-api manifest` differs from manifest.json; {REGENERATE}\n{}",
        text(&output.stdout)
    );
}

#[test]
fn the_committed_manifest_is_up_to_date() {
    // The one-line snapshot test an app keeps in its own suite.
    Manifest::collect_with_routes(&app(LogtoGuard::fairing())).assert_matches_file(COMMITTED);
}

#[tokio::test]
async fn manifest_check_passes_for_the_committed_file_and_fails_with_a_diff_otherwise() {
    let output = run(&["manifest", "--check", COMMITTED], &[]).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}; {REGENERATE}",
        text(&output.stderr)
    );

    let stale = std::env::temp_dir().join(format!(
        "orders-api-stale-manifest-{}.json",
        std::process::id()
    ));
    std::fs::write(
        &stale,
        committed().replace("\"version\": 1", "\"version\": 0"),
    )
    .expect("write");
    let output = run(&["manifest", "--check", &stale.display().to_string()], &[]).await;
    let _ = std::fs::remove_file(&stale);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("-   \"version\": 0,\n+   \"version\": 1,\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("regenerate the file with `orders-api manifest > "),
        "{stderr}"
    );
}

/// `(indicator, permission names)` of the committed manifest.
fn committed_resources() -> Vec<(String, Vec<String>)> {
    let manifest: Value = serde_json::from_str(&committed()).expect("manifest.json is JSON");
    manifest["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|resource| {
            let permissions = resource["permissions"]
                .as_array()
                .expect("permissions")
                .iter()
                .map(|p| p["name"].as_str().expect("name").to_owned())
                .collect();
            (
                resource["indicator"]
                    .as_str()
                    .expect("indicator")
                    .to_owned(),
                permissions,
            )
        })
        .collect()
}

/// Names of the committed manifest's organization permissions.
fn committed_organization_permissions() -> Vec<String> {
    let manifest: Value = serde_json::from_str(&committed()).expect("manifest.json is JSON");
    manifest["organization"]["permissions"]
        .as_array()
        .expect("the organization section: `read:members` of GET /organizations/<org_id>/members")
        .iter()
        .map(|p| p["name"].as_str().expect("name").to_owned())
        .collect()
}

#[test]
fn the_committed_manifest_lists_read_members_as_an_organization_permission() {
    assert_eq!(committed_organization_permissions(), ["read:members"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_dry_run_prints_the_plan_and_changes_nothing() {
    let fake = FakeManagement::start().await;
    let env = [
        ("LOGTO_ENDPOINT", fake.endpoint()),
        ("LOGTO_M2M_APP_ID", APP_ID),
        ("LOGTO_M2M_APP_SECRET", APP_SECRET),
    ];
    let output = run(&["sync", "--dry-run"], &env).await;
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        text(&output.stderr)
    );
    for (indicator, permissions) in committed_resources() {
        assert!(
            stdout.contains(&format!("+ create resource {indicator} named ")),
            "{stdout}"
        );
        for permission in permissions {
            assert!(
                stdout.contains(&format!("+ create permission {permission} in {indicator}")),
                "{stdout}"
            );
        }
    }
    for permission in committed_organization_permissions() {
        assert!(
            stdout.contains(&format!("+ create organization permission {permission}: ")),
            "{stdout}"
        );
    }
    assert!(
        stdout.ends_with("Dry run: nothing was changed.\n"),
        "{stdout}"
    );
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
    let requests = fake.requests();
    assert_eq!(
        requests.first().map(String::as_str),
        Some("POST /oidc/token"),
        "{requests:?}"
    );
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("GET /api/resources?page=1")),
        "{requests:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_reads_the_endpoint_from_rocket_toml_as_the_fairing_does() {
    let fake = FakeManagement::start().await;
    let directory = std::env::temp_dir().join(format!("orders-api-sync-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("temp dir");
    let rocket_toml = directory.join("Rocket.toml");
    std::fs::write(
        &rocket_toml,
        format!("[default.logto]\nendpoint = \"{}\"\n", fake.endpoint()),
    )
    .expect("Rocket.toml");
    let rocket_config = rocket_toml.display().to_string();
    let credentials = [
        ("ROCKET_CONFIG", rocket_config.as_str()),
        ("LOGTO_M2M_APP_ID", APP_ID),
        ("LOGTO_M2M_APP_SECRET", APP_SECRET),
    ];
    let output = run(&["sync", "--dry-run"], &credentials).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).starts_with(&format!("Logto at {}: ", fake.endpoint())),
        "{}",
        text(&output.stdout)
    );

    // `LOGTO_ENDPOINT` still overrides the table, as for the fairing.
    let unreachable = format!("http://127.0.0.1:{}", logto_guard_tests::free_port());
    let mut overridden = credentials.to_vec();
    overridden.push(("LOGTO_ENDPOINT", &unreachable));
    let output = run(&["sync", "--dry-run"], &overridden).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains(&format!("cannot reach Logto at {unreachable}")),
        "{}",
        text(&output.stderr)
    );
    std::fs::remove_dir_all(&directory).expect("clean up");
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_registers_the_manifest_and_a_second_run_changes_nothing() {
    let fake = FakeManagement::start().await;
    let env = [
        ("LOGTO_ENDPOINT", fake.endpoint()),
        ("LOGTO_M2M_APP_ID", APP_ID),
        ("LOGTO_M2M_APP_SECRET", APP_SECRET),
    ];
    let first = run(&["sync"], &env).await;
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}{}",
        text(&first.stdout),
        text(&first.stderr)
    );
    for (indicator, permissions) in committed_resources() {
        let registered: Vec<String> = fake
            .scopes(&indicator)
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(registered, permissions, "{indicator}");
    }
    let organization: Vec<String> = fake
        .organization_scopes()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(organization, committed_organization_permissions());

    fake.clear_requests();
    let second = run(&["sync"], &env).await;
    let stdout = text(&second.stdout);
    assert_eq!(
        second.status.code(),
        Some(0),
        "{stdout}{}",
        text(&second.stderr)
    );
    assert!(
        stdout.contains("Logto already matches the manifest: nothing to change."),
        "{stdout}"
    );
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());
}

/// `orders-api sync --webhook URL`: the binary registers the revocation webhook under its own
/// name, prints Logto's signing key once on stdout, and not on the second run.
#[tokio::test(flavor = "multi_thread")]
async fn sync_webhook_creates_the_revocation_webhook_and_prints_its_key_once() {
    let fake = FakeManagement::start().await;
    let env = [
        ("LOGTO_ENDPOINT", fake.endpoint()),
        ("LOGTO_M2M_APP_ID", APP_ID),
        ("LOGTO_M2M_APP_SECRET", APP_SECRET),
    ];
    let url = "https://orders.example.com/logto/webhook";
    let first = run(&["sync", "--webhook", url], &env).await;
    let (stdout, stderr) = (text(&first.stdout), text(&first.stderr));
    assert_eq!(first.status.code(), Some(0), "{stdout}{stderr}");
    let hooks = fake.hooks();
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert_eq!(hooks[0].name, "logto-guard revocation (orders-api)");
    assert_eq!(hooks[0].url(), url);
    let key = hooks[0].signing_key.as_str();
    let line = format!("\n  LOGTO_WEBHOOK_SIGNING_KEY={key}\n");
    assert!(stdout.contains(&line), "{stdout}");
    assert_eq!(stdout.matches(key).count(), 1, "{stdout}");
    assert!(!stderr.contains(key), "{stderr}");

    let second = run(&["sync", "--webhook", url], &env).await;
    let stdout = text(&second.stdout);
    assert_eq!(second.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("to https://orders.example.com/logto/webhook: nothing to change.\n"),
        "{stdout}"
    );
    assert!(!stdout.contains(key), "{stdout}");
    assert_eq!(fake.hooks().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn sync_with_a_wrong_secret_exits_1_and_says_what_to_check() {
    let fake = FakeManagement::start().await;
    let env = [
        ("LOGTO_ENDPOINT", fake.endpoint()),
        ("LOGTO_M2M_APP_ID", APP_ID),
        ("LOGTO_M2M_APP_SECRET", "not-the-secret"),
    ];
    let output = run(&["sync", "--dry-run"], &env).await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("check LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("not-the-secret") && !text(&output.stdout).contains("not-the-secret"),
        "{stderr}"
    );

    let output = run(&["sync"], &[]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("LOGTO_ENDPOINT is not set"),
        "{}",
        text(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn prune_flags_delete_only_their_own_kind_and_warn_under_every_deletion() {
    let fake = FakeManagement::start().await;
    let api = fake.add_resource("Orders", "https://api.example.com");
    fake.add_scope(&api, "read:orders", Some("Read orders"));
    fake.add_scope(&api, "write:orders", Some("Create orders"));
    fake.add_scope(&api, "delete:orders", None);
    fake.add_scope(&api, "legacy:orders", None);
    fake.add_organization_scope("read:members", Some("Read the organization's members"));
    fake.add_organization_scope("legacy:members", None);
    let env = [
        ("LOGTO_ENDPOINT", fake.endpoint()),
        ("LOGTO_M2M_APP_ID", APP_ID),
        ("LOGTO_M2M_APP_SECRET", APP_SECRET),
    ];
    let logto_at = format!("Logto at {}: ", fake.endpoint());
    const DELETE_ORDERS: &str = "  - delete permission legacy:orders from https://api.example.com
    warning: every role that grants legacy:orders of https://api.example.com loses it; re-creating it does not give it back
";
    const DELETE_MEMBERS: &str = "  - delete organization permission legacy:members
    warning: every organization role in every organization loses legacy:members; re-creating it does not give it back
";
    const KEPT_MEMBERS: &str = "Kept: in Logto but not in the manifest (`sync --prune-organization-permissions` deletes them):
  = organization permission legacy:members
";

    // `--prune` alone: the organization permission is kept; the dry run shows the real plan.
    let dry_run = run(&["sync", "--dry-run", "--prune"], &env).await;
    assert_eq!(dry_run.status.code(), Some(0), "{}", text(&dry_run.stderr));
    assert_eq!(
        text(&dry_run.stdout),
        format!(
            "{logto_at}1 change:\n{DELETE_ORDERS}{KEPT_MEMBERS}Dry run: nothing was changed.\n"
        )
    );
    let both = [
        "sync",
        "--dry-run",
        "--prune",
        "--prune-organization-permissions",
    ];
    let dry_run = run(&both, &env).await;
    assert_eq!(
        text(&dry_run.stdout),
        format!(
            "{logto_at}2 changes:\n{DELETE_ORDERS}{DELETE_MEMBERS}Dry run: nothing was changed.\n"
        )
    );
    assert!(fake.writes().is_empty(), "{:?}", fake.writes());

    let pruned = run(&["sync", "--prune"], &env).await;
    assert_eq!(
        without_change_log(&pruned.stdout),
        format!("{logto_at}1 change:\n{DELETE_ORDERS}{KEPT_MEMBERS}Applied 1 change.\n")
    );
    let names = |scopes: Vec<(String, Option<String>)>| -> Vec<String> {
        scopes.into_iter().map(|(name, _)| name).collect()
    };
    assert_eq!(
        names(fake.scopes("https://api.example.com")),
        ["delete:orders", "read:orders", "write:orders"]
    );
    assert_eq!(
        names(fake.organization_scopes()),
        ["legacy:members", "read:members"]
    );

    let pruned = run(&["sync", "--prune-organization-permissions"], &env).await;
    assert_eq!(
        without_change_log(&pruned.stdout),
        format!("{logto_at}1 change:\n{DELETE_MEMBERS}Applied 1 change.\n")
    );
    assert_eq!(names(fake.organization_scopes()), ["read:members"]);
}

/// `stdout` without the log line of each applied change (Rocket's logger prints logto-guard's
/// `applied to Logto` events there too).
fn without_change_log(stdout: &[u8]) -> String {
    text(stdout)
        .lines()
        .filter(|line| !line.starts_with("applied to Logto "))
        .map(|line| format!("{line}\n"))
        .collect()
}
