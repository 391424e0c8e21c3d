//! A test issuer for your own tests: real keys, a real JWKS and discovery server on
//! `127.0.0.1`, and a builder that mints Logto-shaped access tokens.
//!
//! ```
//! use logto_guard::testing::TestIssuer;
//! use logto_guard::Validator;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let issuer = TestIssuer::start().await;
//! let validator = Validator::new(issuer.config()).unwrap();
//!
//! let token = issuer.token().scopes(["read:orders"]).sign();
//! let verified = validator.validate(&token).await.unwrap();
//! assert!(verified.scopes().contains("read:orders"));
//!
//! let expired = issuer.token().expires_at(1_000).sign();
//! assert!(validator.validate(&expired).await.is_err());
//! # }
//! ```
//!
//! With Rocket, point the fairing at it and use `rocket::local`:
//!
//! ```
//! use logto_guard::testing::TestIssuer;
//! use logto_guard::{AccessToken, LogtoGuard, guarded};
//! use rocket::http::{Header, Status};
//! use rocket::local::asynchronous::Client;
//!
//! #[guarded]
//! #[rocket::get("/me")]
//! fn who_am_i(token: AccessToken) -> String {
//!     token.subject().unwrap_or_default().to_owned()
//! }
//!
//! # rocket::async_test(async {
//! let issuer = TestIssuer::start().await;
//! let rocket = rocket::build()
//!     .attach(LogtoGuard::with_config(issuer.config()))
//!     .mount("/", rocket::routes![who_am_i]);
//! let client = Client::tracked(rocket).await.unwrap();
//!
//! let token = issuer.token().subject("user-1").sign();
//! let response = client
//!     .get("/me")
//!     .header(Header::new("Authorization", format!("Bearer {token}")))
//!     .dispatch()
//!     .await;
//! assert_eq!(response.status(), Status::Ok);
//! assert_eq!(response.into_string().await.as_deref(), Some("user-1"));
//!
//! let response = client.get("/me").dispatch().await;
//! assert_eq!(response.status(), Status::Unauthorized);
//! # });
//! ```

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::signature::{self, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::algorithm::Algorithm;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::support::{lock, unix_now};

/// The resource indicator test tokens are for unless told otherwise.
pub const DEFAULT_RESOURCE: &str = "https://api.example.com";

/// A signing key pair made for tests.
#[derive(Clone)]
pub struct TestKey {
    kid: String,
    algorithm: Algorithm,
    signer: Arc<Signer>,
    public_jwk: Map<String, Value>,
    publish_alg: bool,
}

impl TestKey {
    /// Generates a fresh key for `algorithm` (RSA keys have 2048 bits).
    #[must_use]
    pub fn generate(algorithm: Algorithm) -> Self {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let ecdsa = |signing: &'static signature::EcdsaSigningAlgorithm, crv: &str, size: usize| {
            let pkcs8 =
                signature::EcdsaKeyPair::generate_pkcs8(signing, &rng).expect("EC key generation");
            let pair = signature::EcdsaKeyPair::from_pkcs8(signing, pkcs8.as_ref())
                .expect("generated EC key parses");
            let (x, y) = pair.public_key().as_ref()[1..].split_at(size);
            let jwk = json!({"kty": "EC", "crv": crv, "x": b64(x), "y": b64(y)});
            (Signer::Ecdsa(pair), jwk)
        };
        let rsa = |encoding: &'static dyn signature::RsaEncoding| {
            let pair = signature::RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                .expect("RSA key generation");
            let public = pair.public_key();
            let jwk = json!({
                "kty": "RSA",
                "n": b64(public.modulus().big_endian_without_leading_zero()),
                "e": b64(public.exponent().big_endian_without_leading_zero()),
            });
            (Signer::Rsa(Arc::new(pair), encoding), jwk)
        };
        let (signer, public_jwk) = match algorithm {
            Algorithm::ES256 => ecdsa(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, "P-256", 32),
            Algorithm::ES384 => ecdsa(&signature::ECDSA_P384_SHA384_FIXED_SIGNING, "P-384", 48),
            Algorithm::ES512 => ecdsa(&signature::ECDSA_P521_SHA512_FIXED_SIGNING, "P-521", 66),
            Algorithm::RS256 => rsa(&signature::RSA_PKCS1_SHA256),
            Algorithm::RS384 => rsa(&signature::RSA_PKCS1_SHA384),
            Algorithm::RS512 => rsa(&signature::RSA_PKCS1_SHA512),
            Algorithm::PS256 => rsa(&signature::RSA_PSS_SHA256),
            Algorithm::PS384 => rsa(&signature::RSA_PSS_SHA384),
            Algorithm::PS512 => rsa(&signature::RSA_PSS_SHA512),
            Algorithm::EdDSA => {
                let pair = signature::Ed25519KeyPair::generate().expect("Ed25519 generation");
                let jwk =
                    json!({"kty": "OKP", "crv": "Ed25519", "x": b64(pair.public_key().as_ref())});
                (Signer::Ed25519(pair), jwk)
            }
        };
        let Value::Object(public_jwk) = public_jwk else {
            unreachable!("built with json!({{...}})")
        };
        Self {
            kid: format!("test-{}", random_hex(8)),
            algorithm,
            signer: Arc::new(signer),
            public_jwk,
            publish_alg: true,
        }
    }

    /// The same key signing with another algorithm of its family (an RSA key with `PS256`
    /// instead of `RS256`), for tests of what a key may verify.
    ///
    /// # Panics
    ///
    /// When `algorithm` is not an RSA algorithm or the key is not an RSA key.
    #[must_use]
    pub fn signing_with(mut self, algorithm: Algorithm) -> Self {
        let Signer::Rsa(pair, _) = &*self.signer else {
            panic!("only an RSA key signs with several algorithms")
        };
        let encoding: &'static dyn signature::RsaEncoding = match algorithm {
            Algorithm::RS256 => &signature::RSA_PKCS1_SHA256,
            Algorithm::RS384 => &signature::RSA_PKCS1_SHA384,
            Algorithm::RS512 => &signature::RSA_PKCS1_SHA512,
            Algorithm::PS256 => &signature::RSA_PSS_SHA256,
            Algorithm::PS384 => &signature::RSA_PSS_SHA384,
            Algorithm::PS512 => &signature::RSA_PSS_SHA512,
            other => panic!("{other} is not an RSA algorithm"),
        };
        self.signer = Arc::new(Signer::Rsa(Arc::clone(pair), encoding));
        self.algorithm = algorithm;
        self
    }

    /// The same key under another `kid`.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = kid.into();
        self
    }

    /// Publishes the JWK without an `alg` member, as Logto does for its RSA keys.
    #[must_use]
    pub fn without_alg(mut self) -> Self {
        self.publish_alg = false;
        self
    }

    /// The key id.
    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm this key signs with.
    #[must_use]
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The public key as a JWK (RFC 7517), as the issuer publishes it.
    #[must_use]
    pub fn public_jwk(&self) -> Value {
        let mut jwk = self.public_jwk.clone();
        jwk.insert("kid".into(), Value::String(self.kid.clone()));
        jwk.insert("use".into(), Value::String("sig".into()));
        if self.publish_alg {
            jwk.insert("alg".into(), json!(self.algorithm));
        }
        Value::Object(jwk)
    }

    /// Signs `header` and `payload` as JSON and returns the compact JWS.
    #[must_use]
    pub fn sign_compact(&self, header: &Value, payload: &Value) -> String {
        let input = format!("{}.{}", b64_json(header), b64_json(payload));
        let signature = self.sign_raw(input.as_bytes());
        format!("{input}.{signature}")
    }

    /// Signs arbitrary signing input and returns the base64url signature, for negative tests
    /// whose header or payload no JSON value produces (repeated members, invalid JSON).
    #[must_use]
    pub fn sign_raw(&self, signing_input: &[u8]) -> String {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        match &*self.signer {
            Signer::Ecdsa(pair) => b64(pair
                .sign(&rng, signing_input)
                .expect("signing with a generated key")
                .as_ref()),
            Signer::Ed25519(pair) => b64(pair.sign(signing_input).as_ref()),
            Signer::Rsa(pair, encoding) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(*encoding, &rng, signing_input, &mut signature)
                    .expect("signing with a generated key");
                b64(&signature)
            }
        }
    }
}

/// The private half of a [`TestKey`], signing through aws-lc-rs directly.
enum Signer {
    /// ECDSA, fixed-length `r || s` signatures as JWS wants them.
    Ecdsa(signature::EcdsaKeyPair),
    Ed25519(signature::Ed25519KeyPair),
    Rsa(
        Arc<signature::RsaKeyPair>,
        &'static dyn signature::RsaEncoding,
    ),
}

/// What the JWKS endpoint does instead of answering normally, for fault tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwksFault {
    /// Answers normally.
    #[default]
    None,
    /// Answers with this HTTP status and an empty body.
    Status(u16),
    /// Answers 200 with this body instead of the key set.
    Body(Vec<u8>),
    /// Waits this long, then answers normally.
    Delay(Duration),
}

struct IssuerState {
    endpoint: String,
    keys: Mutex<Vec<TestKey>>,
    fault: Mutex<JwksFault>,
    /// The `jwks_uri` discovery names instead of its own.
    discovered_jwks_uri: Mutex<Option<String>>,
    jwks_requests: AtomicUsize,
    jwks_not_modified: AtomicUsize,
}

impl IssuerState {
    fn issuer(&self) -> String {
        format!("{}/oidc", self.endpoint)
    }
}

/// A Logto stand-in for tests: JWKS at `<endpoint>/oidc/jwks`, discovery at
/// `<endpoint>/oidc/.well-known/openid-configuration`, tokens with issuer `<endpoint>/oidc`.
///
/// Listens on `127.0.0.1` on a free port until dropped.
pub struct TestIssuer {
    state: Arc<IssuerState>,
    addr: SocketAddr,
    resource: String,
    server: Mutex<Option<JoinHandle<()>>>,
}

/// Options for [`TestIssuer::builder`].
#[must_use]
pub struct TestIssuerBuilder {
    algorithm: Algorithm,
    resource: String,
    port: u16,
}

impl TestIssuerBuilder {
    /// Signs with a fresh key of `algorithm` (default ES384, Logto's default).
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The default audience of minted tokens and the resource of [`TestIssuer::config`]
    /// (default [`DEFAULT_RESOURCE`]).
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = resource.into();
        self
    }

    /// Listens on this port instead of a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Starts serving.
    ///
    /// # Panics
    ///
    /// When the port cannot be bound.
    pub async fn start(self) -> TestIssuer {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("TestIssuer: bind 127.0.0.1");
        let addr = listener.local_addr().expect("TestIssuer: local address");
        let mut key = TestKey::generate(self.algorithm);
        if matches!(self.algorithm, Algorithm::RS256) {
            key = key.without_alg();
        }
        let state = Arc::new(IssuerState {
            endpoint: format!("http://{addr}"),
            keys: Mutex::new(vec![key]),
            fault: Mutex::new(JwksFault::None),
            discovered_jwks_uri: Mutex::new(None),
            jwks_requests: AtomicUsize::new(0),
            jwks_not_modified: AtomicUsize::new(0),
        });
        let server = tokio::spawn(serve(listener, Arc::clone(&state)));
        TestIssuer {
            state,
            addr,
            resource: self.resource,
            server: Mutex::new(Some(server)),
        }
    }
}

impl TestIssuer {
    /// Starts an issuer with an ES384 key on a free port.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// Options: algorithm, default resource, port.
    pub fn builder() -> TestIssuerBuilder {
        TestIssuerBuilder {
            algorithm: Algorithm::ES384,
            resource: DEFAULT_RESOURCE.to_owned(),
            port: 0,
        }
    }

    /// `http://127.0.0.1:<port>`, what Logto calls the endpoint.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        &self.state.endpoint
    }

    /// `<endpoint>/oidc`.
    #[must_use]
    pub fn issuer(&self) -> String {
        self.state.issuer()
    }

    /// `<endpoint>/oidc/jwks`.
    #[must_use]
    pub fn jwks_uri(&self) -> String {
        format!("{}/jwks", self.state.issuer())
    }

    /// The default audience of minted tokens.
    #[must_use]
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// A config that trusts this issuer and accepts its default resource.
    #[must_use]
    pub fn config(&self) -> Config {
        Config::new(self.endpoint()).resource(self.resource.clone())
    }

    /// A token builder with Logto's defaults: signed by the current key, `typ: at+jwt`, for the
    /// default resource, no scope, valid for an hour.
    pub fn token(&self) -> TokenBuilder {
        let key = lock(&self.state.keys)[0].clone();
        TokenBuilder::new(key, self.issuer(), self.resource.clone())
    }

    /// The key that signs new tokens.
    #[must_use]
    pub fn signing_key(&self) -> TestKey {
        lock(&self.state.keys)[0].clone()
    }

    /// Puts `key` first in the key set, as Logto does on rotation; it signs from now on.
    pub fn rotate(&self, key: TestKey) {
        lock(&self.state.keys).insert(0, key);
    }

    /// Replaces the whole key set; the first key signs.
    ///
    /// # Panics
    ///
    /// When `keys` is empty.
    pub fn set_keys(&self, keys: Vec<TestKey>) {
        assert!(!keys.is_empty(), "a key set needs a signing key");
        *lock(&self.state.keys) = keys;
    }

    /// Makes the JWKS endpoint misbehave (or behave again with [`JwksFault::None`]).
    pub fn set_fault(&self, fault: JwksFault) {
        *lock(&self.state.fault) = fault;
    }

    /// Makes discovery name `uri` as `jwks_uri` instead of its own key set, for tests of
    /// which key-set URIs a validator accepts.
    pub fn set_discovered_jwks_uri(&self, uri: impl Into<String>) {
        *lock(&self.state.discovered_jwks_uri) = Some(uri.into());
    }

    /// How many times the JWKS endpoint was requested (304 answers included).
    #[must_use]
    pub fn jwks_requests(&self) -> usize {
        self.state.jwks_requests.load(Ordering::SeqCst)
    }

    /// How many JWKS requests were answered 304 Not Modified: their `If-None-Match` named the
    /// `ETag` of the current key set.
    #[must_use]
    pub fn jwks_not_modified(&self) -> usize {
        self.state.jwks_not_modified.load(Ordering::SeqCst)
    }

    /// Stops listening: connections are refused until [`resume`](Self::resume).
    pub fn stop(&self) {
        if let Some(server) = lock(&self.server).take() {
            server.abort();
        }
    }

    /// Listens again on the same port after [`stop`](Self::stop).
    ///
    /// # Panics
    ///
    /// When the port was taken meanwhile.
    pub async fn resume(&self) {
        self.stop();
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("TestIssuer: rebind its port");
        *lock(&self.server) = Some(tokio::spawn(serve(listener, Arc::clone(&self.state))));
    }
}

impl Drop for TestIssuer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Builds and signs one access token. Every setter overrides a default; [`claim`](Self::claim)
/// and [`header`](Self::header) can set anything, for negative tests.
#[must_use]
pub struct TokenBuilder {
    key: TestKey,
    header: Map<String, Value>,
    claims: Map<String, Value>,
}

impl TokenBuilder {
    fn new(key: TestKey, issuer: String, audience: String) -> Self {
        let now = unix_now();
        let header = json!({"alg": key.algorithm, "typ": "at+jwt", "kid": key.kid});
        let claims = json!({
            "jti": random_hex(12),
            "iss": issuer,
            "sub": "test-user",
            "client_id": "test-app",
            "aud": audience,
            "iat": now,
            "exp": now + 3600,
        });
        match (header, claims) {
            (Value::Object(header), Value::Object(claims)) => Self {
                key,
                header,
                claims,
            },
            _ => unreachable!("built with json!({{...}})"),
        }
    }

    /// Signs with `key` instead of the issuer's (a foreign key, for negative tests); the header
    /// names its algorithm and `kid`.
    pub fn signed_by(mut self, key: &TestKey) -> Self {
        self.header.insert("alg".into(), json!(key.algorithm));
        self.header.insert("kid".into(), json!(key.kid));
        self.key = key.clone();
        self
    }

    /// `sub`.
    pub fn subject(self, sub: impl Into<String>) -> Self {
        self.claim("sub", sub.into())
    }

    /// `client_id`.
    pub fn client_id(self, client_id: impl Into<String>) -> Self {
        self.claim("client_id", client_id.into())
    }

    /// A machine-to-machine token: `sub` and `client_id` both `app_id`.
    pub fn machine_to_machine(self, app_id: &str) -> Self {
        self.subject(app_id).client_id(app_id)
    }

    /// `act`: a token issued to `actor` on behalf of the subject, as Logto's token exchange
    /// (impersonation) issues it: `{"act": {"sub": "<actor>"}}`.
    pub fn actor(self, actor: impl Into<String>) -> Self {
        self.claim("act", serde_json::json!({ "sub": actor.into() }))
    }

    /// `aud` as a string.
    pub fn audience(self, audience: impl Into<String>) -> Self {
        self.claim("aud", audience.into())
    }

    /// Granted scopes, space-delimited in `scope`; none leaves `scope` out, as Logto does.
    pub fn scopes<'a>(mut self, scopes: impl IntoIterator<Item = &'a str>) -> Self {
        let scope = scopes.into_iter().collect::<Vec<_>>().join(" ");
        if scope.is_empty() {
            self.claims.remove("scope");
            self
        } else {
            self.claim("scope", scope)
        }
    }

    /// `exp` this long from now.
    pub fn expires_in(self, lifetime: Duration) -> Self {
        let exp = unix_now() + i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX / 2);
        self.claim("exp", exp)
    }

    /// `exp` in seconds since the epoch.
    pub fn expires_at(self, exp: i64) -> Self {
        self.claim("exp", exp)
    }

    /// `nbf` in seconds since the epoch.
    pub fn not_before(self, nbf: i64) -> Self {
        self.claim("nbf", nbf)
    }

    /// `iat` in seconds since the epoch.
    pub fn issued_at(self, iat: i64) -> Self {
        self.claim("iat", iat)
    }

    /// `organization_id`, as on Logto organization-level API resource tokens (requested with
    /// both `resource` and `organization_id`); `aud` stays the resource.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let issuer = logto_guard::testing::TestIssuer::start().await;
    /// # let config = issuer.config().organization_tokens(true);
    /// # let validator = logto_guard::Validator::new(config).unwrap();
    /// let token = issuer.token().organization_id("org-a").scopes(["read:orders"]).sign();
    /// let token = validator.validate(&token).await.unwrap();
    /// assert_eq!(token.audiences(), [issuer.resource()]);
    /// assert_eq!(token.organization_id(), Some("org-a"));
    /// # }
    /// ```
    pub fn organization_id(self, organization_id: impl Into<String>) -> Self {
        self.claim("organization_id", organization_id.into())
    }

    /// A Logto organization token (requested with `organization_id` and no `resource`):
    /// `aud` becomes `urn:logto:organization:<organization_id>`; its scopes are organization
    /// permissions.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// # let issuer = logto_guard::testing::TestIssuer::start().await;
    /// let config = issuer.config().organization_tokens(true);
    /// let validator = logto_guard::Validator::new(config).unwrap();
    /// let token = issuer.token().organization_token("org-a").scopes(["read:members"]).sign();
    /// let token = validator.validate(&token).await.unwrap();
    /// assert_eq!(token.audiences(), ["urn:logto:organization:org-a"]);
    /// assert_eq!(token.organization_id(), Some("org-a"));
    /// assert!(token.is_organization_token());
    /// # }
    /// ```
    pub fn organization_token(self, organization_id: &str) -> Self {
        self.audience(format!(
            "{}{organization_id}",
            crate::token::ORGANIZATION_AUDIENCE_PREFIX
        ))
    }

    /// The header `kid`.
    pub fn kid(self, kid: impl Into<String>) -> Self {
        self.header("kid", kid.into())
    }

    /// Sets any claim.
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.claims.insert(name.to_owned(), value.into());
        self
    }

    /// Removes a claim.
    pub fn without_claim(mut self, name: &str) -> Self {
        self.claims.remove(name);
        self
    }

    /// Sets any header member; the signature is still made with the key's own algorithm.
    pub fn header(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.header.insert(name.to_owned(), value.into());
        self
    }

    /// Removes a header member.
    pub fn without_header(mut self, name: &str) -> Self {
        self.header.remove(name);
        self
    }

    /// The compact JWS.
    #[must_use]
    pub fn sign(self) -> String {
        self.key
            .sign_compact(&Value::Object(self.header), &Value::Object(self.claims))
    }
}

async fn serve(listener: TcpListener, state: Arc<IssuerState>) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(answer(stream, Arc::clone(&state)));
    }
}

/// An HTTP answer: status, `ETag`, body.
struct Answer {
    status: u16,
    etag: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    fn json(status: u16, body: Vec<u8>) -> Self {
        Self {
            status,
            etag: None,
            body,
        }
    }
}

/// Answers one HTTP/1.1 request and closes: all a key-set client needs.
async fn answer(mut stream: TcpStream, state: Arc<IssuerState>) {
    let mut request = Vec::with_capacity(1024);
    let mut buf = [0_u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let request = String::from_utf8_lossy(&request);
    let path = request.split_whitespace().nth(1).unwrap_or("/");
    let if_none_match = request.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("if-none-match")
            .then(|| value.trim().to_owned())
    });
    let answer = match path {
        "/oidc/jwks" => {
            state.jwks_requests.fetch_add(1, Ordering::SeqCst);
            let fault = lock(&state.fault).clone();
            match fault {
                JwksFault::None => jwks(&state, if_none_match.as_deref()),
                JwksFault::Status(status) => Answer::json(status, Vec::new()),
                JwksFault::Body(body) => Answer::json(200, body),
                JwksFault::Delay(delay) => {
                    tokio::time::sleep(delay).await;
                    jwks(&state, if_none_match.as_deref())
                }
            }
        }
        "/oidc/.well-known/openid-configuration" => {
            let issuer = state.issuer();
            let jwks_uri = lock(&state.discovered_jwks_uri)
                .clone()
                .unwrap_or_else(|| format!("{issuer}/jwks"));
            let document = json!({
                "issuer": issuer,
                "jwks_uri": jwks_uri,
                "token_endpoint": format!("{issuer}/token"),
                "id_token_signing_alg_values_supported": ["ES384", "RS256"],
            });
            Answer::json(200, document.to_string().into_bytes())
        }
        _ => Answer::json(404, br#"{"error":"not_found"}"#.to_vec()),
    };
    let reason = match answer.status {
        200 => "OK",
        304 => "Not Modified",
        _ => "Other",
    };
    let etag = answer
        .etag
        .map(|etag| format!("etag: {etag}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         {etag}connection: close\r\n\r\n",
        answer.status,
        answer.body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&answer.body).await;
    let _ = stream.shutdown().await;
}

/// The key set with its `ETag`, or 304 when `if_none_match` names that `ETag` (as Logto's
/// `/oidc/jwks` does).
fn jwks(state: &IssuerState, if_none_match: Option<&str>) -> Answer {
    let keys: Vec<Value> = lock(&state.keys).iter().map(TestKey::public_jwk).collect();
    let body = json!({ "keys": keys }).to_string().into_bytes();
    let etag = {
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&body, &mut hasher);
        format!("\"{:016x}\"", std::hash::Hasher::finish(&hasher))
    };
    if if_none_match == Some(etag.as_str()) {
        state.jwks_not_modified.fetch_add(1, Ordering::SeqCst);
        return Answer {
            status: 304,
            etag: Some(etag),
            body: Vec::new(),
        };
    }
    Answer {
        status: 200,
        etag: Some(etag),
        body,
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn b64_json(value: &Value) -> String {
    b64(value.to_string().as_bytes())
}

fn random_hex(bytes: usize) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut random = vec![0_u8; bytes];
    if aws_lc_rs::rand::fill(&mut random).is_err() {
        // Unique is all a test id needs; fall back to a process-wide counter.
        return format!(
            "{:0width$x}",
            COUNTER.fetch_add(1, Ordering::Relaxed),
            width = bytes * 2
        );
    }
    random.iter().map(|b| format!("{b:02x}")).collect()
}
