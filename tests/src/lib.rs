//! Harness shared by the workspace's black-box tests: child processes that are always stopped,
//! whose output is read line by line until they say they are ready.

pub mod fake_management;
pub mod helpers;
pub mod issuer_packages;
pub mod logs;
pub mod openapi;
pub mod redis;

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

/// A child process, killed when dropped (also when a test panics).
pub struct Process {
    name: String,
    child: Child,
    lines: mpsc::UnboundedReceiver<String>,
    transcript: Arc<Mutex<Vec<String>>>,
}

impl Process {
    /// Starts `command` with stdout and stderr captured line by line.
    ///
    /// # Panics
    ///
    /// When the program cannot be started.
    pub fn spawn(name: &str, mut command: Command) -> Self {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let (sender, lines) = mpsc::unbounded_channel();
        let transcript = Arc::new(Mutex::new(Vec::new()));
        if let Some(stdout) = child.stdout.take() {
            forward(stdout, sender.clone(), Arc::clone(&transcript));
        }
        if let Some(stderr) = child.stderr.take() {
            forward(stderr, sender, Arc::clone(&transcript));
        }
        Self {
            name: name.to_owned(),
            child,
            lines,
            transcript,
        }
    }

    /// Waits until a line of output gives `Some`, and returns that.
    ///
    /// # Panics
    ///
    /// When the process exits or `timeout` passes first; the message has its output.
    pub async fn wait_for<T>(
        &mut self,
        timeout: Duration,
        mut ready: impl FnMut(&str) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.lines.recv()).await {
                Ok(Some(line)) => {
                    if let Some(value) = ready(&line) {
                        return value;
                    }
                }
                Ok(None) => panic!(
                    "{} exited before it was ready:\n{}",
                    self.name,
                    self.output()
                ),
                Err(_) => panic!(
                    "{} not ready after {timeout:?}:\n{}",
                    self.name,
                    self.output()
                ),
            }
        }
    }

    /// Everything the process printed so far.
    #[must_use]
    pub fn output(&self) -> String {
        self.transcript
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .join("\n")
    }

    /// The operating-system process id.
    #[must_use]
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Resident set size in KiB, from `/proc/<pid>/status` (Linux).
    #[must_use]
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// Stops the process now and waits for it.
    pub async fn stop(&mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

fn forward(
    stream: impl AsyncRead + Unpin + Send + 'static,
    sender: mpsc::UnboundedSender<String>,
    transcript: Arc<Mutex<Vec<String>>>,
) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            transcript
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(line.clone());
            let _ = sender.send(line);
        }
    });
}

/// The base URL Rocket printed in its "launched from" line, if `line` is that line.
#[must_use]
pub fn rocket_launch_url(line: &str) -> Option<String> {
    let start = line.find("launched from ")? + "launched from ".len();
    let url: String = line[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .filter(|c| c.is_ascii())
        .collect();
    url.starts_with("http").then_some(url)
}

/// Starts a built binary of this workspace as a Rocket app on a free port, with `env`, and
/// waits until Rocket says it launched. Returns the process and its base URL.
pub async fn launch_rocket_binary(binary: &str, env: &[(&str, &str)]) -> (Process, String) {
    launch_rocket_binary_with_args(binary, &[], env).await
}

/// Like [`launch_rocket_binary`], with command-line arguments.
pub async fn launch_rocket_binary_with_args(
    binary: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> (Process, String) {
    let mut command = Command::new(binary);
    command
        .args(args)
        .env("ROCKET_PORT", "0")
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_CLI_COLORS", "false")
        .env_remove("LOGTO_ENDPOINT")
        .env_remove("LOGTO_CUSTOM_DOMAINS")
        .env_remove("LOGTO_WEBHOOK_SIGNING_KEY");
    for (key, value) in env {
        command.env(key, value);
    }
    let mut process = Process::spawn(binary, command);
    let url = process
        .wait_for(Duration::from_secs(30), rocket_launch_url)
        .await;
    (process, url)
}

/// The Logto-like issuer of `tests/issuer`: the real `oidc-provider` engine, started with Node.
pub struct NodeIssuer {
    process: Process,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// `http://127.0.0.1:<port>`, what Logto calls the endpoint.
    pub endpoint: String,
    http: reqwest::Client,
}

/// Set to skip, on a developer's machine, the tests whose tool outside Rust is missing (never
/// honoured when `CI` is set).
pub const SKIP_MISSING_TOOLS_VARIABLE: &str = "LOGTO_GUARD_SKIP_MISSING_TOOLS";

/// The one rule for the tests that need a tool outside Rust (Node and the issuer's npm
/// packages, Python's openapi-spec-validator, Chromium): `true` when the tool is there
/// (`problem` is `None`). When it is missing, the test fails saying what to install, unless
/// [`SKIP_MISSING_TOOLS_VARIABLE`] is set outside CI: then it is skipped, loudly.
///
/// # Panics
///
/// When the tool is missing and skipping was not asked for.
#[must_use]
pub fn tool_available(tests: &str, problem: Option<String>) -> bool {
    let Some(problem) = problem else {
        return true;
    };
    let skip =
        std::env::var_os(SKIP_MISSING_TOOLS_VARIABLE).is_some() && std::env::var_os("CI").is_none();
    assert!(
        skip,
        "{tests} cannot run: {problem}. To skip them on this machine, set \
         {SKIP_MISSING_TOOLS_VARIABLE}=1 (CI never skips)."
    );
    eprintln!("\n!!! SKIPPED: {tests}: {problem}; {SKIP_MISSING_TOOLS_VARIABLE} is set !!!\n");
    false
}

/// How to get Node and npm, for the messages that say they are missing.
pub const HOW_TO_INSTALL_NODE: &str =
    "install Node 20+ with npm (e.g. `apt-get install nodejs npm`)";

/// Whether the Node issuer tests should run. Installs the issuer's npm packages the first time
/// (see [`issuer_packages`]); when Node or the packages cannot be had, [`tool_available`]
/// decides.
#[must_use]
pub fn node_issuer_available() -> bool {
    let issuer_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("issuer");
    node_tests_wanted("node")
        && match issuer_packages::ensure_installed(&issuer_dir) {
            Ok(_) => true,
            Err(error) => tool_available(NODE_TESTS, Some(error.to_string())),
        }
}

/// Whether `program` (`node` or `npm`) runs; when it does not, [`tool_available`] decides.
pub(crate) fn node_tests_wanted(program: &str) -> bool {
    let runs = std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    runs || tool_available(
        NODE_TESTS,
        Some(format!("`{program}` is missing: {HOW_TO_INSTALL_NODE}")),
    )
}

/// What the Node tools' messages call the tests that need them.
const NODE_TESTS: &str = "the oidc-provider tests";

impl NodeIssuer {
    /// Starts the issuer on a free port.
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// Starts the issuer on `port` (0 for a free one) and waits for its ready line.
    pub async fn start_on(port: u16) -> Self {
        Self::spawn(port, None).await
    }

    /// Starts another issuer, on a free port, that publishes and signs with `tenant`'s keys
    /// (as they are now): the same Logto tenant on another domain, as a custom domain is
    /// (another issuer URL, the same keys).
    pub async fn start_with_keys_of(tenant: &NodeIssuer) -> Self {
        let keys = tenant.admin(reqwest::Method::GET, "private-keys").await;
        Self::spawn(0, Some(keys["keys"].to_string())).await
    }

    async fn spawn(port: u16, keys: Option<String>) -> Self {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("issuer/issuer.mjs");
        let mut command = Command::new("node");
        command.arg(script).env("ISSUER_PORT", port.to_string());
        if let Some(keys) = keys {
            command.env("ISSUER_KEYS", keys);
        }
        let mut process = Process::spawn("oidc-provider issuer", command);
        let port = process
            .wait_for(Duration::from_secs(30), |line| {
                let ready: serde_json::Value = serde_json::from_str(line).ok()?;
                ready.get("ready")?.as_bool()?.then_some(())?;
                u16::try_from(ready.get("port")?.as_u64()?).ok()
            })
            .await;
        Self {
            process,
            port,
            endpoint: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        }
    }

    /// A client-credentials access token of `m2m-app` for `resource` with `scopes`.
    pub async fn token(&self, resource: &str, scopes: &[&str]) -> String {
        self.token_of("m2m-app", "m2m-secret", resource, scopes)
            .await
    }

    /// A client-credentials access token of another app of the issuer (`m2m-readonly`,
    /// secret `m2m-readonly-secret`, may read orders) for `resource` with `scopes`.
    pub async fn token_of(
        &self,
        client_id: &str,
        client_secret: &str,
        resource: &str,
        scopes: &[&str],
    ) -> String {
        let mut form = vec![
            ("grant_type", "client_credentials".to_owned()),
            ("resource", resource.to_owned()),
        ];
        if !scopes.is_empty() {
            form.push(("scope", scopes.join(" ")));
        }
        self.token_request((client_id, client_secret), &form).await
    }

    /// A token for user `subject` (`user-admin` or `user-reader`) by Logto's token exchange,
    /// with `resource` and the requested `scopes` (the user's roles decide which are granted);
    /// with `actor`, impersonation: the token's `act` is that user. Logto's steps: a subject
    /// token from the Management API, and the actor's own access token with `openid`.
    pub async fn exchanged_token(
        &self,
        subject: &str,
        actor: Option<&str>,
        resource: &str,
        scopes: &[&str],
    ) -> String {
        const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
        let subject_token = self
            .admin(
                reqwest::Method::POST,
                &format!("subject-tokens?userId={subject}"),
            )
            .await["subjectToken"]
            .as_str()
            .expect("subjectToken")
            .to_owned();
        let mut form = vec![
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange".to_owned(),
            ),
            ("subject_token", subject_token),
            ("subject_token_type", ACCESS_TOKEN_TYPE.to_owned()),
            ("resource", resource.to_owned()),
            ("scope", scopes.join(" ")),
        ];
        if let Some(actor) = actor {
            let actor_token = self
                .admin(
                    reqwest::Method::POST,
                    &format!("user-tokens?userId={actor}"),
                )
                .await["accessToken"]
                .as_str()
                .expect("accessToken")
                .to_owned();
            form.push(("actor_token", actor_token));
            form.push(("actor_token_type", ACCESS_TOKEN_TYPE.to_owned()));
        }
        self.token_request(("exchange-app", "exchange-secret"), &form)
            .await
    }

    async fn token_request(&self, (id, secret): (&str, &str), form: &[(&str, String)]) -> String {
        let response = self
            .http
            .post(format!("{}/oidc/token", self.endpoint))
            .basic_auth(id, Some(secret))
            .form(form)
            .send()
            .await
            .expect("token request");
        let status = response.status();
        let body: serde_json::Value = response.json().await.expect("token response is JSON");
        assert!(
            status.is_success(),
            "token endpoint answered {status}: {body}"
        );
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned()
    }

    /// Rotates to a new key of `kty` (`EC` or `RSA`), first in the key set, signing from now
    /// on; the key it replaces stays published, older ones are dropped (as Logto does). Returns
    /// the new `kid`.
    pub async fn rotate(&self, kty: &str) -> String {
        let body: serde_json::Value = self
            .admin(reqwest::Method::POST, &format!("rotate?kty={kty}"))
            .await;
        body["kid"].as_str().expect("kid").to_owned()
    }

    /// A staged rotation (Logto's `rotationGracePeriod`): a new key of `kty` is published now as
    /// Next, behind the current one, and starts signing after `grace_seconds`. Returns its `kid`.
    pub async fn rotate_staged(&self, kty: &str, grace_seconds: u64) -> String {
        let body: serde_json::Value = self
            .admin(
                reqwest::Method::POST,
                &format!("rotate?kty={kty}&grace={grace_seconds}"),
            )
            .await;
        body["kid"].as_str().expect("kid").to_owned()
    }

    /// Replicas mid-rotation: while `on`, JWKS requests are answered alternately with the
    /// current set and the set before the last change.
    pub async fn set_lagging_replica(&self, on: bool) {
        let _: serde_json::Value = self
            .admin(reqwest::Method::POST, &format!("lagging-replica?on={on}"))
            .await;
    }

    /// Makes the JWKS endpoint answer `ms` late (`Some`), or on time again (`None`).
    pub async fn set_jwks_delay(&self, ms: Option<u64>) {
        let path = match ms {
            Some(ms) => format!("jwks-fault?mode=slow&ms={ms}"),
            None => "jwks-fault?mode=none".to_owned(),
        };
        let _: serde_json::Value = self.admin(reqwest::Method::POST, &path).await;
    }

    /// Makes the JWKS endpoint answer 200 with a body that is not JSON, or not (`false`).
    pub async fn set_jwks_garbage(&self, on: bool) {
        let mode = if on { "garbage" } else { "none" };
        let _: serde_json::Value = self
            .admin(reqwest::Method::POST, &format!("jwks-fault?mode={mode}"))
            .await;
    }

    /// The published `kid`s (signing key first) and the signing `kid`.
    pub async fn published_keys(&self) -> (Vec<String>, String) {
        let body = self.admin(reqwest::Method::GET, "keys").await;
        let published = body["published"]
            .as_array()
            .expect("published")
            .iter()
            .filter_map(|kid| kid.as_str().map(str::to_owned))
            .collect();
        (
            published,
            body["signer"].as_str().expect("signer").to_owned(),
        )
    }

    /// Sets the lifetime of tokens issued from now on.
    pub async fn set_token_ttl(&self, seconds: u64) {
        let _: serde_json::Value = self
            .admin(
                reqwest::Method::POST,
                &format!("access-token-ttl?seconds={seconds}"),
            )
            .await;
    }

    /// How often its JWKS was requested (304 answers included).
    pub async fn jwks_requests(&self) -> u64 {
        let body: serde_json::Value = self.admin(reqwest::Method::GET, "jwks-requests").await;
        body["count"].as_u64().expect("count")
    }

    /// How many JWKS requests were answered 304 Not Modified (a matching `If-None-Match`).
    pub async fn jwks_not_modified(&self) -> u64 {
        let body: serde_json::Value = self.admin(reqwest::Method::GET, "jwks-requests").await;
        body["notModified"].as_u64().expect("notModified")
    }

    /// How many requests it got outside its admin hooks (token, discovery, JWKS, any other).
    pub async fn requests(&self) -> u64 {
        let body: serde_json::Value = self.admin(reqwest::Method::GET, "requests").await;
        body["count"].as_u64().expect("count")
    }

    /// Has the issuer deliver a webhook to `url` the way Logto does: `payload` plus `hookId`
    /// and `createdAt` (now, unless `payload` has one), sent as `JSON.stringify` writes it, with
    /// `logto-signature-sha-256` = the hex HMAC-SHA256 of that body under `signing_key` (Node's
    /// `crypto.createHmac`, as Logto's `sign`). Returns the receiver's status and body.
    ///
    /// # Panics
    ///
    /// When the issuer cannot reach `url`.
    pub async fn deliver_webhook(
        &self,
        url: &str,
        signing_key: &str,
        payload: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let response = self
            .http
            .post(format!("{}/admin/deliver-webhook", self.endpoint))
            .json(&serde_json::json!({"url": url, "signingKey": signing_key, "payload": payload}))
            .send()
            .await
            .expect("deliver-webhook request");
        let status = response.status();
        let answer: serde_json::Value = response.json().await.expect("deliver-webhook answer");
        assert!(status.is_success(), "deliver-webhook: {status}: {answer}");
        let body = answer["body"].as_str().unwrap_or_default();
        (
            u16::try_from(answer["status"].as_u64().expect("status")).expect("a status"),
            serde_json::from_str(body).unwrap_or(serde_json::Value::String(body.to_owned())),
        )
    }

    async fn admin(&self, method: reqwest::Method, path: &str) -> serde_json::Value {
        let response = self
            .http
            .request(method, format!("{}/admin/{path}", self.endpoint))
            .send()
            .await
            .expect("admin request");
        assert!(
            response.status().is_success(),
            "admin {path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(serde_json::Value::Null)
    }

    /// Stops the issuer.
    pub async fn stop(&mut self) {
        self.process.stop().await;
    }
}

/// A port that was free a moment ago on 127.0.0.1.
#[must_use]
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The most unknown-`kid` refetches a flood can cause within `elapsed` of its first one, under
/// `cooldown` (`unknown_kid_cooldown`): holds of 1 s, doubling up to the cooldown, after each
/// refetch that found no new key (the key cache's documented bound).
#[must_use]
pub fn max_unknown_kid_fetches(elapsed: Duration, cooldown: Duration) -> u64 {
    let mut hold = Duration::from_secs(1).min(cooldown);
    let mut next = hold;
    let mut fetches = 1;
    while next <= elapsed {
        fetches += 1;
        hold = (hold * 2).min(cooldown);
        next += hold;
    }
    fetches
}

/// `token` with its header replaced by an ES384 `at+jwt` header naming `kid`: a forged `kid`
/// whose claims still pass, so the key lookup is what refuses it.
#[must_use]
pub fn with_kid(token: &str, kid: &str) -> String {
    use base64::Engine as _;
    let header = serde_json::json!({"alg": "ES384", "typ": "at+jwt", "kid": kid});
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(header.to_string());
    let rest = token
        .split_once('.')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    format!("{header}.{rest}")
}
