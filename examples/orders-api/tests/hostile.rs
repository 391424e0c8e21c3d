//! The hostile-input corpus, sent over real HTTP (raw TCP, byte for byte) to `orders-api`
//! served on 127.0.0.1:0 in this process: every case gets its documented status and error
//! code, nothing answers 500, and no token, signature or key material reaches a log line.

use std::io::Write as _;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use logto_guard::testing::{TestIssuer, TestKey};
use logto_guard::{Algorithm, LogtoGuard};
use logto_guard_tests::helpers::{b64, b64_json, now};
use rocket::fairing::AdHoc;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const READ: &str = "read:orders";

/// What a case must get back: the status and the RFC 6750 `error` code (None: no code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Expect(u16, Option<&'static str>);

const OK: Expect = Expect(200, None);
const NO_CREDENTIALS: Expect = Expect(401, None);
const INVALID_REQUEST: Expect = Expect(400, Some("invalid_request"));
const INVALID_TOKEN: Expect = Expect(401, Some("invalid_token"));
const INSUFFICIENT_SCOPE: Expect = Expect(403, Some("insufficient_scope"));

struct Case {
    name: String,
    /// Raw `Authorization` header values, sent as they are.
    authorization: Vec<Vec<u8>>,
    expect: Expect,
}

fn case(name: &str, authorization: Vec<Vec<u8>>, expect: Expect) -> Case {
    Case {
        name: name.to_owned(),
        authorization,
        expect,
    }
}

fn bearer(name: &str, token: &str, expect: Expect) -> Case {
    case(name, vec![format!("Bearer {token}").into_bytes()], expect)
}

/// A token signed by the issuer's key over exactly these header and payload bytes.
fn signed_raw(key: &TestKey, header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let signature = key.sign_raw(input.as_bytes());
    format!("{input}.{signature}")
}

fn corpus(issuer: &TestIssuer) -> Vec<Case> {
    let key = issuer.signing_key();
    let valid = issuer.token().scopes([READ]).sign();
    let claims = |extra: Value| {
        let mut payload = json!({
            "iss": issuer.issuer(), "aud": issuer.resource(), "sub": "u", "client_id": "c",
            "scope": READ, "iat": now(), "exp": now() + 600,
        });
        if let (Value::Object(payload), Value::Object(extra)) = (&mut payload, extra) {
            payload.extend(extra);
        }
        payload
    };
    let with_claim =
        |name: &str, value: Value| issuer.token().scopes([READ]).claim(name, value).sign();
    let parts: Vec<&str> = valid.split('.').collect();
    let (h, p, s) = (parts[0], parts[1], parts[2]);
    let es384_header = format!(r#"{{"alg":"ES384","typ":"at+jwt","kid":"{}"}}"#, key.kid());
    let attacker = TestKey::generate(Algorithm::ES384);
    let same_kid = TestKey::generate(Algorithm::ES384).with_kid(key.kid());
    let other_token = issuer.token().scopes(["write:orders"]).sign();
    let hmac = |alg: &str, hash: aws_lc_rs::hmac::Algorithm| {
        let header = b64_json(&json!({"alg": alg, "typ": "at+jwt", "kid": key.kid()}));
        let input = format!("{header}.{}", b64_json(&claims(json!({}))));
        let secret = key.public_jwk().to_string();
        let tag = aws_lc_rs::hmac::sign(
            &aws_lc_rs::hmac::Key::new(hash, secret.as_bytes()),
            input.as_bytes(),
        );
        format!("{input}.{}", b64(tag.as_ref()))
    };
    let unsigned = |alg: &str| {
        format!(
            "{}.{}.",
            b64_json(&json!({"alg": alg, "typ": "at+jwt"})),
            b64_json(&claims(json!({})))
        )
    };
    let nested = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let big_claim = "x".repeat(8 * 1024);
    let huge_claim = "x".repeat(60 * 1024);
    let mut high_s = URL_SAFE_NO_PAD.decode(s).unwrap_or_default();
    negate_s_p384(&mut high_s);

    vec![
        // The Authorization header.
        case("no Authorization header", vec![], NO_CREDENTIALS),
        case(
            "Basic scheme",
            vec![b"Basic dXNlcjpwYXNz".to_vec()],
            NO_CREDENTIALS,
        ),
        case(
            "Digest scheme",
            vec![b"Digest username=\"a\"".to_vec()],
            NO_CREDENTIALS,
        ),
        case(
            "scheme glued to token",
            vec![format!("Bearer{valid}").into_bytes()],
            NO_CREDENTIALS,
        ),
        case(
            "tab after scheme",
            vec![format!("Bearer\t{valid}").into_bytes()],
            NO_CREDENTIALS,
        ),
        bearer("valid token", &valid, OK),
        case(
            "lowercase scheme",
            vec![format!("bearer {valid}").into_bytes()],
            OK,
        ),
        case(
            "uppercase scheme",
            vec![format!("BEARER {valid}").into_bytes()],
            OK,
        ),
        case(
            "extra spaces after scheme",
            vec![format!("Bearer    {valid}").into_bytes()],
            OK,
        ),
        case(
            "trailing spaces",
            vec![format!("Bearer {valid}   ").into_bytes()],
            OK,
        ),
        case("scheme only", vec![b"Bearer".to_vec()], INVALID_REQUEST),
        case(
            "scheme and spaces only",
            vec![b"Bearer     ".to_vec()],
            INVALID_REQUEST,
        ),
        case("empty header value", vec![b"".to_vec()], NO_CREDENTIALS),
        case(
            "two Authorization headers",
            vec![format!("Bearer {valid}").into_bytes(); 2],
            INVALID_REQUEST,
        ),
        case(
            "two tokens",
            vec![format!("Bearer {valid} {valid}").into_bytes()],
            INVALID_REQUEST,
        ),
        case(
            "comma-joined tokens",
            vec![format!("Bearer {valid},Bearer {valid}").into_bytes()],
            INVALID_REQUEST,
        ),
        case(
            "quote in token",
            vec![b"Bearer abc\"def".to_vec()],
            INVALID_REQUEST,
        ),
        case(
            "padding only",
            vec![b"Bearer ====".to_vec()],
            INVALID_REQUEST,
        ),
        case(
            "padding inside token",
            vec![format!("Bearer {h}==.{p}.{s}").into_bytes()],
            INVALID_REQUEST,
        ),
        case(
            "non-ASCII bytes",
            vec!["Bearer tökén.ü.ß".as_bytes().to_vec()],
            INVALID_REQUEST,
        ),
        // Rocket drops a header value that is not UTF-8: the request has no credentials.
        case(
            "latin-1 byte",
            vec![b"Bearer abc\xe9def".to_vec()],
            NO_CREDENTIALS,
        ),
        // hyper refuses control bytes before the request reaches the app.
        case(
            "control byte",
            vec![b"Bearer abc\x01def".to_vec()],
            Expect(400, None),
        ),
        case(
            "64 KiB header value",
            vec![format!("Bearer {}", "a".repeat(64 * 1024)).into_bytes()],
            INVALID_TOKEN,
        ),
        // Token structure.
        bearer("opaque token", "sQ8k3Vh7Xw9opaque", INVALID_TOKEN),
        bearer("two parts", &format!("{h}.{p}"), INVALID_TOKEN),
        bearer("four parts", &format!("{h}.{p}.{s}.{s}"), INVALID_TOKEN),
        bearer(
            "JWE-shaped, five parts",
            &format!("{h}.{p}.{s}.{s}.{s}"),
            INVALID_TOKEN,
        ),
        bearer("empty header part", &format!(".{p}.{s}"), INVALID_TOKEN),
        bearer("empty payload part", &format!("{h}..{s}"), INVALID_TOKEN),
        bearer("empty signature part", &format!("{h}.{p}."), INVALID_TOKEN),
        bearer("all parts empty", "..", INVALID_TOKEN),
        bearer(
            "standard base64 in header",
            &format!("{}+/.{p}.{s}", &h[..h.len() - 2]),
            INVALID_TOKEN,
        ),
        bearer("padded signature", &format!("{h}.{p}.{s}=="), INVALID_TOKEN),
        bearer(
            "header not JSON",
            &format!("{}.{p}.{s}", b64(b"not json")),
            INVALID_TOKEN,
        ),
        bearer(
            "header a JSON array",
            &format!("{}.{p}.{s}", b64(b"[\"ES384\"]")),
            INVALID_TOKEN,
        ),
        bearer(
            "header a JSON string",
            &format!("{}.{p}.{s}", b64(b"\"ES384\"")),
            INVALID_TOKEN,
        ),
        bearer(
            "header repeats alg",
            &format!(
                "{}.{p}.{s}",
                b64(br#"{"alg":"ES384","alg":"none","typ":"at+jwt"}"#)
            ),
            INVALID_TOKEN,
        ),
        bearer(
            "payload not JSON (signed)",
            &signed_raw(&key, &es384_header, "not json"),
            INVALID_TOKEN,
        ),
        bearer(
            "payload a JSON array (signed)",
            &signed_raw(&key, &es384_header, "[1,2]"),
            INVALID_TOKEN,
        ),
        bearer(
            "payload repeats aud (signed)",
            &signed_raw(
                &key,
                &es384_header,
                &format!(
                    r#"{{"iss":"{}","aud":"https://evil.example.com","aud":"{}","scope":"{READ}","exp":{}}}"#,
                    issuer.issuer(),
                    issuer.resource(),
                    now() + 600
                ),
            ),
            INVALID_TOKEN,
        ),
        bearer(
            "deeply nested payload (signed)",
            &signed_raw(&key, &es384_header, &nested),
            INVALID_TOKEN,
        ),
        bearer(
            "8 KiB claim (signed)",
            &with_claim("blob", json!(big_claim)),
            OK,
        ),
        bearer(
            "60 KiB token",
            &with_claim("blob", json!(huge_claim)),
            INVALID_TOKEN,
        ),
        // Algorithm attacks.
        bearer("alg none", &unsigned("none"), INVALID_TOKEN),
        bearer("alg NoNe", &unsigned("NoNe"), INVALID_TOKEN),
        bearer(
            "alg NONE with signature",
            &format!("{}{s}", unsigned("NONE")),
            INVALID_TOKEN,
        ),
        bearer(
            "alg missing",
            &format!("{}.{p}.{s}", b64(br#"{"typ":"at+jwt"}"#)),
            INVALID_TOKEN,
        ),
        bearer(
            "alg a number",
            &format!("{}.{p}.{s}", b64(br#"{"alg":384,"typ":"at+jwt"}"#)),
            INVALID_TOKEN,
        ),
        bearer(
            "HS256 keyed with the public key",
            &hmac("HS256", aws_lc_rs::hmac::HMAC_SHA256),
            INVALID_TOKEN,
        ),
        bearer(
            "HS384 keyed with the public key",
            &hmac("HS384", aws_lc_rs::hmac::HMAC_SHA384),
            INVALID_TOKEN,
        ),
        bearer(
            "RS256 header on the EC key",
            &issuer.token().scopes([READ]).header("alg", "RS256").sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "ES256 header on the P-384 key",
            &issuer.token().scopes([READ]).header("alg", "ES256").sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "ES512 header on the P-384 key",
            &issuer.token().scopes([READ]).header("alg", "ES512").sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "EdDSA header on the EC key",
            &issuer.token().scopes([READ]).header("alg", "EdDSA").sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "embedded jwk of the signer",
            &issuer
                .token()
                .scopes([READ])
                .signed_by(&attacker)
                .header("jwk", attacker.public_jwk())
                .sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "jku injection",
            &issuer
                .token()
                .scopes([READ])
                .signed_by(&attacker)
                .header("jku", "http://127.0.0.1:1/jwks")
                .sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "x5u injection",
            &issuer
                .token()
                .scopes([READ])
                .signed_by(&attacker)
                .header("x5u", "http://127.0.0.1:1/cert")
                .sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "x5c injection",
            &issuer
                .token()
                .scopes([READ])
                .signed_by(&attacker)
                .header("x5c", json!(["MIIB"]))
                .sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "crit with exp",
            &issuer
                .token()
                .scopes([READ])
                .header("crit", json!(["exp"]))
                .sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "empty crit",
            &issuer
                .token()
                .scopes([READ])
                .header("crit", json!([]))
                .sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "kid a number",
            &issuer.token().scopes([READ]).header("kid", 7).sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "typ JWT",
            &issuer.token().scopes([READ]).header("typ", "JWT").sign(),
            INVALID_TOKEN,
        ),
        // Claim abuse.
        bearer(
            "exp a string",
            &with_claim("exp", json!((now() + 600).to_string())),
            INVALID_TOKEN,
        ),
        bearer(
            "exp a float",
            &with_claim("exp", json!(now() as f64 + 600.5)),
            INVALID_TOKEN,
        ),
        bearer("exp negative", &with_claim("exp", json!(-1)), INVALID_TOKEN),
        bearer("exp huge", &with_claim("exp", json!(1e30)), INVALID_TOKEN),
        bearer(
            "exp beyond u64",
            &issuer
                .token()
                .scopes([READ])
                .claim("exp", json!(u64::MAX))
                .sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "exp in the past",
            &with_claim("exp", json!(now() - 3600)),
            INVALID_TOKEN,
        ),
        bearer(
            "exp missing",
            &issuer.token().scopes([READ]).without_claim("exp").sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "nbf a string",
            &with_claim("nbf", json!("0")),
            INVALID_TOKEN,
        ),
        bearer(
            "nbf in the future",
            &with_claim("nbf", json!(now() + 3600)),
            INVALID_TOKEN,
        ),
        bearer(
            "nbf huge",
            &with_claim("nbf", json!(i64::MAX)),
            INVALID_TOKEN,
        ),
        bearer("iat a float", &with_claim("iat", json!(1.5)), INVALID_TOKEN),
        bearer(
            "iat in the future",
            &with_claim("iat", json!(now() + 3600)),
            INVALID_TOKEN,
        ),
        bearer(
            "aud an object",
            &with_claim("aud", json!({"aud": issuer.resource()})),
            INVALID_TOKEN,
        ),
        bearer(
            "aud an empty array",
            &with_claim("aud", json!([])),
            INVALID_TOKEN,
        ),
        bearer(
            "aud a prefix of the resource",
            &with_claim("aud", json!("https://api.example")),
            INVALID_TOKEN,
        ),
        bearer(
            "aud a suffix-extended resource",
            &with_claim("aud", json!("https://api.example.com/x")),
            INVALID_TOKEN,
        ),
        bearer(
            "aud with a trailing slash",
            &with_claim("aud", json!("https://api.example.com/")),
            INVALID_TOKEN,
        ),
        bearer(
            "aud array containing the resource",
            &with_claim("aud", json!(["https://x.example", issuer.resource()])),
            OK,
        ),
        bearer(
            "aud array of numbers",
            &with_claim("aud", json!([1, 2])),
            INVALID_TOKEN,
        ),
        bearer(
            "iss with a trailing slash",
            &with_claim("iss", json!(format!("{}/", issuer.issuer()))),
            INVALID_TOKEN,
        ),
        bearer(
            "iss in upper case",
            &with_claim("iss", json!(issuer.issuer().to_uppercase())),
            INVALID_TOKEN,
        ),
        bearer("iss a number", &with_claim("iss", json!(1)), INVALID_TOKEN),
        bearer(
            "scope an array",
            &with_claim("scope", json!([READ])),
            INVALID_TOKEN,
        ),
        bearer(
            "scope joined with a tab",
            &with_claim("scope", json!(format!("{READ}\twrite:orders"))),
            INSUFFICIENT_SCOPE,
        ),
        bearer(
            "scope a prefix of the required",
            &with_claim("scope", json!("read")),
            INSUFFICIENT_SCOPE,
        ),
        bearer(
            "scope extending the required",
            &with_claim("scope", json!("read:orders:all")),
            INSUFFICIENT_SCOPE,
        ),
        bearer(
            "scope in upper case",
            &with_claim("scope", json!("READ:ORDERS")),
            INSUFFICIENT_SCOPE,
        ),
        bearer("scope absent", &issuer.token().sign(), INSUFFICIENT_SCOPE),
        bearer(
            "scope with surrounding spaces",
            &with_claim("scope", json!(format!("  {READ}  "))),
            OK,
        ),
        // Signature abuse.
        bearer(
            "truncated signature",
            &format!("{h}.{p}.{}", &s[..s.len() - 8]),
            INVALID_TOKEN,
        ),
        bearer(
            "extended signature",
            &format!("{h}.{p}.{s}AAAA"),
            INVALID_TOKEN,
        ),
        bearer(
            "another key under the same kid",
            &issuer.token().scopes([READ]).signed_by(&same_kid).sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "signature of a different token",
            &format!(
                "{h}.{p}.{}",
                other_token.rsplit('.').next().unwrap_or_default()
            ),
            INVALID_TOKEN,
        ),
        bearer(
            "signature bits flipped",
            &format!("{h}.{p}.{}", flip_last_char(s)),
            INVALID_TOKEN,
        ),
        // ECDSA signatures are malleable: (r, n - s) verifies the same signed bytes. Logto's
        // signer does not normalise s, so refusing high-S would refuse about half of its real
        // tokens; the claims cannot change, so the token is accepted.
        bearer(
            "high-S twin of a valid ECDSA signature",
            &format!("{h}.{p}.{}", b64(&high_s)),
            OK,
        ),
        bearer(
            "unknown kid",
            &issuer.token().scopes([READ]).kid("forged-kid").sign(),
            INVALID_TOKEN,
        ),
        bearer(
            "another resource's token",
            &issuer
                .token()
                .scopes([READ])
                .audience("https://other.example.com")
                .sign(),
            INVALID_TOKEN,
        ),
    ]
}

fn flip_last_char(s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if let Some(last) = chars.iter_mut().rev().nth(3) {
        *last = if *last == 'A' { 'B' } else { 'A' };
    }
    chars.into_iter().collect()
}

/// The P-384 group order, for making the high-S twin `(r, n - s)` of a signature.
const P384_ORDER: [u8; 48] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf,
    0x58, 0x1a, 0x0d, 0xb2, 0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73,
];

fn negate_s_p384(signature: &mut [u8]) {
    if signature.len() != 96 {
        return;
    }
    let s = &mut signature[48..];
    let mut borrow = 0_i16;
    for i in (0..48).rev() {
        let diff = i16::from(P384_ORDER[i]) - i16::from(s[i]) - borrow;
        (s[i], borrow) = if diff < 0 {
            ((diff + 256) as u8, 1)
        } else {
            (diff as u8, 0)
        };
    }
}

/// Sends one GET /orders with exactly these `Authorization` values; returns the status,
/// the challenge's `error` code, and the whole response text.
async fn send(base: &str, authorization: &[Vec<u8>]) -> (u16, Option<String>, String) {
    let mut request =
        format!("GET /orders HTTP/1.1\r\nHost: {base}\r\nConnection: close\r\n").into_bytes();
    for value in authorization {
        request.extend_from_slice(b"Authorization: ");
        request.extend_from_slice(value);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    let mut stream = TcpStream::connect(base).await.expect("connect");
    stream.write_all(&request).await.expect("send");
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response))
        .await
        .expect("the server answers")
        .expect("read");
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let code = text
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("www-authenticate:"))
        .and_then(|l| l.split("error=\"").nth(1))
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned);
    (status, code, text)
}

/// Every `tracing` event and `log` record of this process, at the most verbose level, but for
/// one upstream record: Rocket 0.5 logs each raw request, headers included, at debug level
/// (`rocket::server`: "received request: {:#?}"), which no library under it can redact. The
/// guide's errors page tells users not to run production at Rocket's debug level for that
/// reason.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    Arc::clone(LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&logs);
        let writer = move || LogSink(Arc::clone(&sink));
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "trace,rocket::server=info",
            ))
            .with_ansi(false)
            .with_writer(writer)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        tracing_log::LogTracer::init().expect("log records into tracing");
        logs
    }))
}

struct LogSink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Serves orders-api on 127.0.0.1:0 in this process; returns `host:port`.
async fn serve(issuer: &TestIssuer) -> String {
    let (port_tx, port_rx) = tokio::sync::oneshot::channel();
    let port_tx = Mutex::new(Some(port_tx));
    let figment = rocket::Config::figment()
        .merge(("port", 0))
        .merge(("address", "127.0.0.1"))
        .merge(("log_level", "debug"));
    let rocket = orders_api::app(LogtoGuard::with_config(
        orders_api::with_placeholder_billing(issuer.config()),
    ))
    .configure(figment)
    .attach(AdHoc::on_liftoff("report port", move |rocket| {
        let port = rocket.config().port;
        if let Some(tx) = port_tx.lock().ok().and_then(|mut tx| tx.take()) {
            let _ = tx.send(port);
        }
        Box::pin(async {})
    }));
    tokio::spawn(async move {
        let _ = rocket.launch().await;
    });
    let port = tokio::time::timeout(Duration::from_secs(30), port_rx)
        .await
        .expect("launched")
        .expect("port");
    format!("127.0.0.1:{port}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_case_gets_its_documented_answer_and_no_secret_is_logged() {
    let logs = captured_logs();
    let issuer = TestIssuer::start().await;
    let base = serve(&issuer).await;
    let cases = corpus(&issuer);
    assert!(cases.len() >= 60, "{} cases", cases.len());

    let mut failures = Vec::new();
    for case in &cases {
        let (status, code, text) = send(&base, &case.authorization).await;
        assert_ne!(status, 500, "{}: {text}", case.name);
        if Expect(status, None) != Expect(case.expect.0, None) || code.as_deref() != case.expect.1 {
            failures.push(format!(
                "{}: got {status} {code:?}, expected {:?}",
                case.name, case.expect
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    let health = send(&base, &[]).await;
    assert_eq!(health.0, 401, "the server is still up");

    // Everything logged through the corpus, at TRACE, holds no token, signature or key.
    let logged = String::from_utf8_lossy(
        &logs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
    .into_owned();
    assert!(logged.contains("request refused"), "the capture works");
    let key = issuer.signing_key().public_jwk();
    let mut secrets: Vec<String> = ["x", "y"]
        .iter()
        .filter_map(|m| key[*m].as_str().map(str::to_owned))
        .collect();
    for case in &cases {
        for value in &case.authorization {
            let value = String::from_utf8_lossy(value);
            let token = value
                .trim()
                .trim_start_matches("Bearer")
                .trim_start_matches("bearer")
                .trim();
            secrets.extend(
                token
                    .split(['.', ' ', ','])
                    .filter(|part| part.len() >= 16)
                    .map(str::to_owned),
            );
        }
    }
    for secret in &secrets {
        let probe = &secret[..secret.len().min(24)];
        if let Some(line) = logged.lines().find(|l| l.contains(probe)) {
            panic!(
                "a log line contains token or key material {probe:?}:\n{}",
                &line[..line.len().min(400)]
            );
        }
    }
    let _ = std::io::stderr().flush();
}
