//! A real browser on orders-api's documentation page (feature `openapi`): headless Chromium,
//! driven by `tests/browser/swagger-ui.mjs` (playwright-core), uses **Authorize** with the
//! client credentials flow against the `oidc-provider` issuer, then "Try it out" on
//! `GET /orders`: 200 for an app granted `read:orders`, 403 for one that is not. It also starts
//! the authorization code flow and checks the authorization request the page opens (PKCE and
//! `resource`); the test issuer has no sign-in page, so the flow ends there.
//!
//! Needs Node with npm (the packages of `tests/issuer` and `tests/browser` are installed on
//! first use) and Chromium at /usr/bin/chromium (Debian: `apt-get install chromium`), or
//! `CHROMIUM`. Without Chromium or playwright-core this test fails under CI and is skipped
//! loudly elsewhere. `LOGTO_GUARD_SCREENSHOT=<png>` saves the Authorize dialog (the
//! screenshot in docs/, which the guide's OpenAPI page shows).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use logto_guard_tests::issuer_packages::ensure_installed;
use logto_guard_tests::{NodeIssuer, launch_rocket_binary, node_issuer_available};
use serde_json::Value;
use tokio::process::Command;

const BINARY: &str = env!("CARGO_BIN_EXE_orders-api");

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser")
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Whether the browser test can run; fails under CI when it cannot, and says so loudly
/// elsewhere.
fn browser_available() -> bool {
    let mut missing = Vec::new();
    if !chromium().is_file() {
        missing.push(format!(
            "Chromium at {} (`apt-get install chromium`, or set CHROMIUM)",
            chromium().display()
        ));
    }
    if let Err(error) = ensure_installed(&browser_dir()) {
        missing.push(format!("playwright-core: {error}"));
    }
    let problem = (!missing.is_empty()).then(|| format!("missing {}", missing.join(" and ")));
    logto_guard_tests::tool_available("the Swagger UI browser test", problem)
}

/// What the page showed for one app, as the script reports it.
fn reports(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON report line"))
        .collect()
}

#[tokio::test]
async fn swagger_ui_authorizes_with_logto_and_tries_get_orders() {
    if !node_issuer_available() || !browser_available() {
        return;
    }
    let issuer = NodeIssuer::start().await;
    let (_api, base) = launch_rocket_binary(BINARY, &[("LOGTO_ENDPOINT", &issuer.endpoint)]).await;

    let mut command = Command::new("node");
    command
        .arg(browser_dir().join("swagger-ui.mjs"))
        .arg(format!("{base}/docs/index.html"))
        .args(["list_orders", "read:orders"])
        .args([
            "swagger-reader:swagger-reader-secret",
            "swagger-writer:swagger-writer-secret",
        ])
        .env("CHROMIUM", chromium())
        // Only the authorization request is checked: the app id need not be registered.
        .env("AUTHORIZATION_CODE_CLIENT", "swagger-user")
        .env_remove("SCREENSHOT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(screenshot) = std::env::var_os("LOGTO_GUARD_SCREENSHOT") {
        command.env("SCREENSHOT", screenshot);
    }
    let output = tokio::time::timeout(Duration::from_secs(120), command.output())
        .await
        .expect("the browser finishes within 2 minutes")
        .expect("node runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser script failed:\n{stderr}"
    );
    let reports = reports(&String::from_utf8_lossy(&output.stdout));
    let [reader, writer, authorization_code] = reports.as_slice() else {
        panic!("one report per app and the authorization request: {reports:?}\n{stderr}");
    };

    // The page obtained a token: Logto's `resource` went in the token request's body.
    for report in [reader, writer] {
        assert_eq!(report["authorized"], true, "{report:#}");
        assert_eq!(
            report["token_requests"][0]["resource"], "https://api.example.com",
            "{report:#}"
        );
        assert_eq!(
            report["token_requests"][0]["grant_type"],
            "client_credentials"
        );
    }
    assert_eq!(reader["client_id"], "swagger-reader");
    assert_eq!(reader["status"], "200", "{reader:#}");
    assert_eq!(reader["body"], "[]", "{reader:#}");

    assert_eq!(writer["client_id"], "swagger-writer");
    assert_eq!(writer["status"], "403", "{writer:#}");
    let body: Value = serde_json::from_str(writer["body"].as_str().expect("a body")).expect("JSON");
    assert_eq!(body["error"], "insufficient_scope", "{writer:#}");

    // The authorization code flow: PKCE (S256), and Logto's `resource` in the request.
    let request = &authorization_code["authorization_request"];
    assert_eq!(
        request["endpoint"],
        format!("{}/oidc/auth", issuer.endpoint),
        "{request:#}"
    );
    assert_eq!(request["response_type"], "code");
    assert_eq!(request["client_id"], "swagger-user");
    assert_eq!(request["resource"], "https://api.example.com");
    assert_eq!(request["scope"], "read:orders");
    assert_eq!(request["code_challenge_method"], "S256");
    assert!(
        request["code_challenge"]
            .as_str()
            .is_some_and(|c| c.len() == 43),
        "{request:#}"
    );
    assert_eq!(
        request["redirect_uri"],
        format!("{base}/docs/oauth2-redirect.html")
    );
}
