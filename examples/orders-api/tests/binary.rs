//! The built `orders-api` binary, launched on a free port and driven over real HTTP.

use std::process::Output;
use std::time::Duration;

use logto_guard::testing::TestIssuer;
use logto_guard_tests::helpers::text;
use logto_guard_tests::launch_rocket_binary;
use reqwest::StatusCode;

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

/// Runs the binary with `args` and `env` (and no Logto unless `env` names one) until it exits
/// by itself.
async fn exit_of(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = tokio::process::Command::new(BINARY);
    command
        .args(args)
        .env("ROCKET_PORT", "0")
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_CLI_COLORS", "false")
        .env_remove("LOGTO_ENDPOINT")
        .env_remove("LOGTO_CUSTOM_DOMAINS")
        .env_remove("ROCKET_LOGTO")
        .kill_on_drop(true);
    for (key, value) in env {
        command.env(key, value);
    }
    tokio::time::timeout(Duration::from_secs(30), command.output())
        .await
        .expect("exits promptly")
        .expect("runs")
}

#[tokio::test]
async fn invalid_config_aborts_launch_with_what_to_fix() {
    let output = exit_of(&[], &[("LOGTO_ENDPOINT", "http://logto.internal")]).await;
    assert!(!output.status.success());
    let text = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(text.contains("allow_insecure_http = true"), "{text}");
}

#[tokio::test]
async fn a_custom_domain_given_as_an_issuer_or_without_an_endpoint_aborts_launch() {
    let issuer = TestIssuer::start().await;
    let output = exit_of(
        &[],
        &[
            ("LOGTO_ENDPOINT", issuer.endpoint()),
            (
                "LOGTO_CUSTOM_DOMAINS",
                "https://auth.example.com, https://login.example.com/oidc",
            ),
        ],
    )
    .await;
    assert!(!output.status.success());
    let said = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(
        said.contains(
            "custom domain https://login.example.com/oidc ends in /oidc, which the issuer adds: \
             list https://login.example.com in `custom_domains`"
        ),
        "{said}"
    );

    // Custom domains alone are no Logto to trust: not development mode, but what to set.
    for env in [
        ("LOGTO_CUSTOM_DOMAINS", "https://auth.example.com"),
        (
            "ROCKET_LOGTO",
            r#"{custom_domains=["https://auth.example.com"]}"#,
        ),
    ] {
        let output = exit_of(&[], &[env]).await;
        assert!(!output.status.success(), "{env:?}");
        let said = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert!(said.contains("no Logto endpoint configured"), "{said}");
        assert!(!said.contains("DEVELOPMENT"), "{said}");
    }
}

#[tokio::test]
async fn the_dev_flag_and_a_configured_logto_refuse_to_start() {
    let issuer = TestIssuer::start().await;
    let output = exit_of(&["--dev"], &[("LOGTO_ENDPOINT", issuer.endpoint())]).await;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "error: orders-api will not start: --dev asks for the embedded development issuer, but \
         a Logto is configured (LOGTO_ENDPOINT or the `logto` table of Rocket's configuration). \
         Drop --dev to trust that Logto, or remove its configuration to develop with the \
         embedded issuer.\n"
    );
    assert_eq!(text(&output.stdout), "");
}

#[tokio::test]
async fn unknown_arguments_exit_2_with_the_usage() {
    let output = exit_of(&["--devel"], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with("error: unknown arguments `--devel`\n\nusage:\n"),
        "{stderr}"
    );
    assert!(stderr.contains("orders-api --dev "), "{stderr}");
    assert_eq!(text(&output.stdout), "");
}

#[tokio::test]
async fn help_prints_the_commands_and_exits_0_without_serving() {
    for help in ["--help", "-h", "help"] {
        let output = exit_of(&[help], &[]).await;
        assert_eq!(output.status.code(), Some(0), "{help}");
        let stdout = text(&output.stdout);
        assert!(
            stdout.starts_with(
                "usage:\n  orders-api                         serve the API (no command: the app \
                 starts)\n  orders-api --dev                   serve in development mode on \
                 purpose"
            ),
            "{stdout}"
        );
        for command in [
            "orders-api manifest ",
            "orders-api manifest --check FILE",
            "orders-api sync ",
            "orders-api help ",
        ] {
            assert!(stdout.contains(command), "{command}: {stdout}");
        }
        assert_eq!(text(&output.stderr), "", "{help}");
    }
}

#[tokio::test]
async fn an_unknown_command_exits_2_instead_of_serving() {
    let output = exit_of(&["serve"], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with("error: unknown arguments `serve`\n\nusage:\n"),
        "{stderr}"
    );
    assert_eq!(text(&output.stdout), "");
}

#[tokio::test]
async fn a_failed_key_fetch_logs_its_cause() {
    let endpoint = format!("http://127.0.0.1:{}", logto_guard_tests::free_port());
    let (app, _base) = launch_rocket_binary(BINARY, &[("LOGTO_ENDPOINT", &endpoint)]).await;
    let output = app.output();
    assert!(
        output.contains(&format!(
            "could not fetch the signing keys of {endpoint}/oidc ("
        )),
        "{output}"
    );
    assert!(
        output.contains("tcp connect error: Connection refused"),
        "{output}"
    );
}

#[tokio::test]
async fn require_keys_at_launch_refuses_to_launch_while_logto_is_unreachable() {
    let endpoint = format!("http://127.0.0.1:{}", logto_guard_tests::free_port());
    let output = exit_of(
        &[],
        &[
            ("LOGTO_ENDPOINT", &endpoint),
            ("ROCKET_LOGTO", "{require_keys_at_launch=true}"),
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let text = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(
        text.contains(&format!(
            "logto-guard: could not fetch the signing keys of {endpoint}/oidc (request failed: \
             error sending request"
        )),
        "{text}"
    );
    assert!(
        text.contains("Connection refused")
            && text.contains("; not launching, as `require_keys_at_launch` is set"),
        "{text}"
    );
}

#[tokio::test]
async fn require_keys_at_launch_launches_once_the_keys_are_fetched() {
    let issuer = TestIssuer::start().await;
    let (_app, base) = launch_rocket_binary(
        BINARY,
        &[
            ("LOGTO_ENDPOINT", issuer.endpoint()),
            ("ROCKET_LOGTO", "{require_keys_at_launch=true}"),
        ],
    )
    .await;
    let token = issuer.token().scopes(["read:orders"]).sign();
    let response = reqwest::Client::new()
        .get(format!("{base}/orders"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("orders");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_endpoint_ending_in_oidc_is_refused_at_start() {
    let output = exit_of(&[], &[("LOGTO_ENDPOINT", "http://127.0.0.1:3001/oidc")]).await;
    assert!(!output.status.success());
    let text = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(
        text.contains(
            "logto-guard: `endpoint` http://127.0.0.1:3001/oidc ends in /oidc, which the issuer \
             adds: set `endpoint` to http://127.0.0.1:3001 (the issuer is then \
             http://127.0.0.1:3001/oidc)"
        ),
        "{text}"
    );
}

/// Development mode: this test binary is a debug build, and the harness binds 127.0.0.1.
#[cfg(feature = "dev")]
mod development {
    use logto_guard_tests::{free_port, launch_rocket_binary_with_args};
    use reqwest::Method;

    use super::*;

    #[tokio::test]
    async fn development_mode_prints_curl_commands_that_work() {
        // This test binary is a debug build, and the harness binds 127.0.0.1.
        let (app, _base) = launch_rocket_binary(BINARY, &[]).await;
        let output = app.output();
        assert!(
            output.contains(
                "== orders-api in DEVELOPMENT mode (a debug build on a loopback address) ==\n\
                 No Logto is configured, so an embedded development issuer at http://127.0.0.1:"
            ),
            "{output}"
        );
        assert_curl_commands_work(&output).await;
    }

    #[tokio::test]
    async fn the_dev_flag_starts_development_mode_on_purpose() {
        let (app, _base) = launch_rocket_binary_with_args(BINARY, &["--dev"], &[]).await;
        let output = app.output();
        assert!(
            output.contains("== orders-api in DEVELOPMENT mode (asked for with --dev) =="),
            "{output}"
        );
        assert_curl_commands_work(&output).await;
    }

    /// The embedded issuer keeps serving its keys after the banner is printed: the first request
    /// (and every refresh after `keys_max_age`) can fetch them. It used to live only as long as
    /// the banner's liftoff callback, so the key warm-up running beside it sometimes met a
    /// closed port ("tcp connect error: Connection reset by peer") and the first curl got 503.
    #[tokio::test]
    async fn the_embedded_issuer_serves_its_keys_while_the_api_runs() {
        let (app, _base) = launch_rocket_binary_with_args(BINARY, &["--dev"], &[]).await;
        let output = app.output();
        let issuer = output
            .split("embedded development issuer at ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("the banner names the issuer: {output}"));
        for _ in 0..3 {
            let jwks = reqwest::get(format!("{issuer}/jwks"))
                .await
                .unwrap_or_else(|error| panic!("GET {issuer}/jwks: {error}\n{output}"));
            assert_eq!(jwks.status(), StatusCode::OK);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(
            !app.output().contains("could not fetch"),
            "{}",
            app.output()
        );
    }

    /// Runs the eight `curl` commands of the development banner in `output`.
    async fn assert_curl_commands_work(output: &str) {
        let commands: Vec<&str> = output.lines().filter(|l| l.starts_with("curl ")).collect();
        assert_eq!(commands.len(), 8, "{output}");
        // health, orders, report, create order 1, mark it paid, delete it, me, no token
        let expected = [200, 200, 200, 201, 200, 204, 200, 401];
        let http = reqwest::Client::new();
        for (command, status) in commands.iter().zip(expected) {
            let response = run_curl(&http, command).await;
            assert_eq!(response.status().as_u16(), status, "{command}\n{output}");
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
    async fn without_logto_on_a_non_loopback_address_it_refuses_to_start() {
        let port = free_port();
        let output = exit_of(
            &[],
            &[
                ("ROCKET_ADDRESS", "0.0.0.0"),
                ("ROCKET_PORT", &port.to_string()),
            ],
        )
        .await;
        assert_eq!(output.status.code(), Some(1));
        assert_eq!(
            text(&output.stderr),
            "error: orders-api will not start: no Logto is configured, and development mode starts \
             by itself only in a debug build bound to a loopback address, but 0.0.0.0 is not a \
             loopback address. Set LOGTO_ENDPOINT=https://<tenant-id>.logto.app (or `endpoint` in \
             the `logto` table of Rocket.toml) to trust your Logto, or pass --dev to run the \
             embedded development issuer on purpose.\n"
        );
        // It stopped before Rocket or the embedded issuer started: no banner, nothing listening.
        assert_eq!(text(&output.stdout), "");
        assert!(
            tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_err()
        );
    }
}

/// A build without the feature `dev` has no development mode at all.
#[cfg(not(feature = "dev"))]
#[tokio::test]
async fn without_the_dev_feature_no_logto_refuses_even_on_loopback() {
    let output = exit_of(&[], &[]).await;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr),
        "error: orders-api will not start: no Logto is configured, and this build has no \
         development mode (it was built without the `dev` feature). Set \
         LOGTO_ENDPOINT=https://<tenant-id>.logto.app (or `endpoint` in the `logto` table of \
         Rocket.toml) to trust your Logto.\n"
    );
    assert_eq!(text(&output.stdout), "");
}
