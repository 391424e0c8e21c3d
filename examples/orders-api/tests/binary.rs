//! The built `orders-api` binary, launched on a free port and driven over real HTTP.

use std::time::Duration;

use logto_guard::testing::TestIssuer;
use logto_guard_tests::launch_rocket_binary;
use reqwest::{Method, StatusCode};

const BINARY: &str = env!("CARGO_BIN_EXE_orders-api");

#[tokio::test]
async fn trusts_the_logto_named_by_logto_endpoint() {
    let issuer = TestIssuer::start().await;
    let (_app, base) = launch_rocket_binary(BINARY, &[("LOGTO_ENDPOINT", issuer.endpoint())]).await;
    let http = reqwest::Client::new();

    let health = http
        .get(format!("{base}/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), StatusCode::OK);

    let token = issuer.token().scopes(["read:orders"]).sign();
    let orders = http
        .get(format!("{base}/orders"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("orders");
    assert_eq!(orders.status(), StatusCode::OK);

    let create = http
        .post(format!("{base}/orders"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"item": "tea", "quantity": 1}))
        .send()
        .await
        .expect("post");
    assert_eq!(create.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        create.headers()["www-authenticate"],
        r#"Bearer realm="api", error="insufficient_scope", error_description="token lacks a required scope: write:orders", scope="write:orders""#
    );

    let anonymous = http
        .get(format!("{base}/orders"))
        .send()
        .await
        .expect("anonymous");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous.headers()["www-authenticate"],
        r#"Bearer realm="api""#
    );
}

#[tokio::test]
async fn development_mode_prints_curl_commands_that_work() {
    let (app, _base) = launch_rocket_binary(BINARY, &[]).await;
    let output = app.output();
    assert!(output.contains("DEVELOPMENT mode"), "{output}");
    let commands: Vec<&str> = output.lines().filter(|l| l.starts_with("curl ")).collect();
    assert_eq!(commands.len(), 6, "{output}");
    let expected = [200, 200, 201, 204, 200, 401];
    let http = reqwest::Client::new();
    for (command, status) in commands.iter().zip(expected) {
        let response = run_curl(&http, command).await;
        assert_eq!(response.status().as_u16(), status, "{command}");
    }
}

/// Runs one of the banner's `curl -i [-X M] URL [-H 'K: V']... [-d 'BODY']` lines.
async fn run_curl(http: &reqwest::Client, command: &str) -> reqwest::Response {
    let mut words = shell_words(command).into_iter().skip(1);
    let mut method = Method::GET;
    let mut request = None;
    let mut headers = Vec::new();
    let mut body = None;
    while let Some(word) = words.next() {
        match word.as_str() {
            "-i" => {}
            "-X" => method = words.next().expect("method").parse().expect("HTTP method"),
            "-H" => headers.push(words.next().expect("header")),
            "-d" => body = words.next(),
            url => request = Some(url.to_owned()),
        }
    }
    let mut builder = http.request(method, request.expect("a URL"));
    for header in headers {
        let (name, value) = header.split_once(": ").expect("K: V");
        builder = builder.header(name, value);
    }
    if let Some(body) = body {
        builder = builder.body(body);
    }
    builder.send().await.expect("request")
}

fn shell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in command.chars() {
        match c {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[tokio::test]
async fn starts_while_logto_is_down_then_recovers() {
    let issuer = TestIssuer::start().await;
    let token = issuer.token().scopes(["read:orders"]).sign();
    issuer.stop();
    let (app, base) = launch_rocket_binary(
        BINARY,
        &[
            ("LOGTO_ENDPOINT", issuer.endpoint()),
            ("ROCKET_LOGTO", "{failed_fetch_backoff=0.2}"),
        ],
    )
    .await;
    assert!(
        app.output().contains("could not fetch the signing keys"),
        "{}",
        app.output()
    );
    let http = reqwest::Client::new();
    let response = http
        .get(format!("{base}/orders"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));

    issuer.resume().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let response = http
        .get(format!("{base}/orders"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn invalid_config_aborts_launch_with_what_to_fix() {
    let mut command = tokio::process::Command::new(BINARY);
    command
        .env("LOGTO_ENDPOINT", "http://logto.internal")
        .env("ROCKET_PORT", "0")
        .env("ROCKET_CLI_COLORS", "false")
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(30), command.output())
        .await
        .expect("exits promptly")
        .expect("runs");
    assert!(!output.status.success());
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains("allow_insecure_http = true"), "{text}");
}
