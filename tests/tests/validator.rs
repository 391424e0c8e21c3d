//! The framework-free validator against a real JWKS server on 127.0.0.1 (`TestIssuer`), with
//! tokens signed in the test.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use logto_guard::testing::{JwksFault, TestIssuer, TestKey};
use logto_guard::{Algorithm, AuthError, Config, Policy, Validator};
use logto_guard_tests::max_unknown_kid_fetches;
use serde_json::json;

const RESOURCE: &str = "https://api.example.com";

fn validator(config: Config) -> Validator {
    Validator::new(config).expect("valid config")
}

async fn issuer_with(algorithm: Algorithm) -> TestIssuer {
    TestIssuer::builder().algorithm(algorithm).start().await
}

fn now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs(),
    )
    .expect("seconds fit i64")
}

#[tokio::test]
async fn accepts_every_logto_algorithm() {
    for algorithm in [
        Algorithm::ES384,
        Algorithm::ES256,
        Algorithm::ES512,
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::EdDSA,
    ] {
        let issuer = issuer_with(algorithm).await;
        let validator = validator(issuer.config());
        let token = issuer.token().scopes(["read:orders"]).sign();
        let verified = validator
            .validate(&token)
            .await
            .unwrap_or_else(|e| panic!("{algorithm:?} token refused: {e}"));
        assert_eq!(verified.audiences(), [RESOURCE]);
        assert!(verified.scopes().contains("read:orders"), "{algorithm:?}");
    }
}

#[tokio::test]
async fn accepts_rsa_key_published_without_alg() {
    let issuer = TestIssuer::start().await;
    issuer.set_keys(vec![TestKey::generate(Algorithm::RS256).without_alg()]);
    assert!(issuer.signing_key().public_jwk().get("alg").is_none());
    let token = issuer.token().sign();
    validator(issuer.config())
        .validate(&token)
        .await
        .expect("RS256 accepted");
}

#[tokio::test]
async fn key_without_alg_accepts_only_its_family() {
    let issuer = TestIssuer::start().await;
    issuer.set_keys(vec![TestKey::generate(Algorithm::RS256).without_alg()]);
    let validator = validator(issuer.config());
    let token = issuer.token().header("alg", "ES384").sign();
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::AlgorithmKeyMismatch
    );
}

#[tokio::test]
async fn refuses_alg_none() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    for none in ["none", "None", "NONE"] {
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": none, "typ": "at+jwt"}).to_string());
        let payload = URL_SAFE_NO_PAD.encode(
            json!({"iss": issuer.issuer(), "aud": RESOURCE, "exp": now() + 60}).to_string(),
        );
        for token in [
            format!("{header}.{payload}."),
            format!("{header}.{payload}.c2ln"),
        ] {
            assert_eq!(
                validator.validate(&token).await.unwrap_err(),
                AuthError::AlgorithmNotAllowed,
                "{none}"
            );
        }
    }
}

#[tokio::test]
async fn refuses_hs256_keyed_with_the_public_key() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let public = issuer.signing_key().public_jwk().to_string();
    let header = URL_SAFE_NO_PAD.encode(
        json!({"alg": "HS256", "typ": "at+jwt", "kid": issuer.signing_key().kid()}).to_string(),
    );
    let payload = URL_SAFE_NO_PAD
        .encode(json!({"iss": issuer.issuer(), "aud": RESOURCE, "exp": now() + 60}).to_string());
    let input = format!("{header}.{payload}");
    let tag = aws_lc_rs::hmac::sign(
        &aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, public.as_bytes()),
        input.as_bytes(),
    );
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()));
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::AlgorithmNotAllowed
    );
}

#[tokio::test]
async fn refuses_header_alg_that_does_not_match_the_key() {
    let issuer = TestIssuer::start().await; // ES384 key
    let validator = validator(issuer.config());
    for alg in ["ES256", "ES512", "RS256", "EdDSA"] {
        let token = issuer.token().header("alg", alg).sign();
        assert_eq!(
            validator.validate(&token).await.unwrap_err(),
            AuthError::AlgorithmKeyMismatch,
            "{alg} header on a P-384 key"
        );
    }
}

#[tokio::test]
async fn refuses_tampered_payload_and_signature() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let token = issuer.token().scopes(["read:orders"]).sign();
    let parts: Vec<&str> = token.split('.').collect();

    let forged_payload = URL_SAFE_NO_PAD.encode(
        json!({"iss": issuer.issuer(), "aud": RESOURCE, "exp": now() + 60, "scope": "admin"})
            .to_string(),
    );
    let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    assert_eq!(
        validator.validate(&tampered).await.unwrap_err(),
        AuthError::InvalidSignature
    );

    let mut signature = URL_SAFE_NO_PAD
        .decode(parts[2])
        .expect("base64url signature");
    signature[10] ^= 0x01;
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        URL_SAFE_NO_PAD.encode(signature)
    );
    assert_eq!(
        validator.validate(&tampered).await.unwrap_err(),
        AuthError::InvalidSignature
    );

    let truncated = &token[..token.len() - 4];
    assert_eq!(
        validator.validate(truncated).await.unwrap_err(),
        AuthError::InvalidSignature
    );
}

#[tokio::test]
async fn refuses_a_foreign_key_under_a_known_kid() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let forger = TestKey::generate(Algorithm::ES384).with_kid(issuer.signing_key().kid());
    let token = issuer.token().signed_by(&forger).sign();
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::InvalidSignature
    );
}

#[tokio::test]
async fn checks_issuer_exactly() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let iss = issuer.issuer();
    for wrong in [
        format!("{iss}/"),
        iss.to_uppercase(),
        "https://evil.example.com/oidc".to_owned(),
    ] {
        let token = issuer.token().claim("iss", wrong.clone()).sign();
        assert_eq!(
            validator.validate(&token).await.unwrap_err(),
            AuthError::IssuerMismatch {
                expected: iss.clone()
            },
            "{wrong}"
        );
    }
    let token = issuer.token().without_claim("iss").sign();
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::MissingClaim("iss")
    );
}

#[tokio::test]
async fn a_token_of_another_issuer_is_an_issuer_mismatch_before_any_key_lookup() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    validator.warm_up().await.expect("keys");
    let fetches = issuer.jwks_requests();
    // Another Logto (the console port, `localhost` for `127.0.0.1`): its key is unknown here.
    let other = TestIssuer::start().await;
    let token = other.token().sign();
    let error = validator.validate(&token).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "issuer mismatch: this API accepts tokens issued by {}",
            issuer.issuer()
        )
    );
    assert_eq!(
        issuer.jwks_requests(),
        fetches,
        "no refetch for a foreign kid"
    );
}

#[tokio::test]
async fn checks_audience() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    for wrong in [
        json!("https://other.example.com"),
        json!("https://api.example.com/"),
        json!("https://api.example"),
        json!([]),
    ] {
        let token = issuer.token().claim("aud", wrong.clone()).sign();
        let err = validator.validate(&token).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "audience mismatch: the token is not for this API",
            "{wrong}"
        );
    }
    let token = issuer
        .token()
        .claim("aud", json!(["https://other.example.com", RESOURCE]))
        .sign();
    let verified = validator
        .validate(&token)
        .await
        .expect("array aud containing ours");
    assert_eq!(verified.audiences().len(), 2);

    let token = issuer.token().claim("aud", json!({"a": 1})).sign();
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::InvalidClaim {
            claim: "aud",
            expected: "a string or an array of strings"
        }
    );
}

#[tokio::test]
async fn expiry_honours_leeway() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config().leeway(Duration::from_secs(60)));
    let expired = issuer.token().expires_at(now() - 120).sign();
    assert_eq!(
        validator.validate(&expired).await.unwrap_err(),
        AuthError::Expired
    );
    let within_leeway = issuer.token().expires_at(now() - 30).sign();
    validator
        .validate(&within_leeway)
        .await
        .expect("within leeway");

    let strict = Validator::new(issuer.config().leeway(Duration::ZERO)).expect("config");
    assert_eq!(
        strict.validate(&within_leeway).await.unwrap_err(),
        AuthError::Expired
    );
}

#[tokio::test]
async fn not_before_and_issued_at_in_the_future_are_refused() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let token = issuer.token().not_before(now() + 600).sign();
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::NotYetValid
    );
    let token = issuer.token().issued_at(now() + 600).sign();
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::NotYetValid
    );
    let token = issuer.token().not_before(now() + 30).sign();
    validator.validate(&token).await.expect("nbf within leeway");
}

#[tokio::test]
async fn exp_is_required_and_must_be_an_integer() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    for absent in [
        issuer.token().without_claim("exp").sign(),
        issuer.token().claim("exp", json!(null)).sign(),
    ] {
        assert_eq!(
            validator.validate(&absent).await.unwrap_err(),
            AuthError::MissingClaim("exp")
        );
    }
    for bad in [
        json!("9999999999"),
        json!(9_999_999_999.5),
        json!(u64::MAX),
        json!(-1.5),
    ] {
        let token = issuer.token().claim("exp", bad.clone()).sign();
        assert_eq!(
            validator.validate(&token).await.unwrap_err(),
            AuthError::InvalidClaim {
                claim: "exp",
                expected: "an integer NumericDate"
            },
            "{bad}"
        );
    }
}

#[tokio::test]
async fn typ_must_be_at_jwt_unless_disabled() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    for typ in ["at+jwt", "application/at+jwt", "AT+JWT"] {
        let token = issuer.token().header("typ", typ).sign();
        validator.validate(&token).await.expect(typ);
    }
    let wrong = issuer.token().header("typ", "JWT").sign();
    assert_eq!(
        validator.validate(&wrong).await.unwrap_err(),
        AuthError::WrongType
    );
    let missing = issuer.token().without_header("typ").sign();
    assert_eq!(
        validator.validate(&missing).await.unwrap_err(),
        AuthError::WrongType
    );

    let lenient = Validator::new(issuer.config().require_typ(false)).expect("config");
    lenient.validate(&wrong).await.expect("typ not required");
    lenient.validate(&missing).await.expect("typ not required");
}

#[tokio::test]
async fn refuses_unknown_crit_and_ignores_embedded_keys() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let token = issuer
        .token()
        .header("crit", json!(["exp"]))
        .header("exp", 1)
        .sign();
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::UnsupportedCritical
    );
    // A token signed by an attacker's key that it embeds or points to is still unknown.
    let attacker = TestKey::generate(Algorithm::ES384);
    let token = issuer
        .token()
        .signed_by(&attacker)
        .header("jwk", attacker.public_jwk())
        .header("jku", "https://evil.example.com/jwks")
        .header("x5u", "https://evil.example.com/cert")
        .sign();
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::UnknownKey
    );
}

#[tokio::test]
async fn header_members_of_the_wrong_type_are_malformed_not_absent() {
    let issuer = TestIssuer::start().await;
    let strict = validator(issuer.config());
    let lenient = validator(issuer.config().require_typ(false));
    let kid = "header `kid` is not a string";
    let typ = "header `typ` is not a string";
    let crit = "header `crit` is not a non-empty array of strings";
    let alg = "header must be a JSON object with a string `alg` and no repeated member";
    for (member, value, problem) in [
        ("kid", json!(null), kid),
        ("kid", json!(7), kid),
        ("typ", json!(null), typ),
        ("typ", json!(["at+jwt"]), typ),
        ("crit", json!(null), crit),
        ("crit", json!([]), crit),
        ("crit", json!("exp"), crit),
        ("crit", json!([7]), crit),
        ("crit", json!({"exp": true}), crit),
        ("alg", json!(null), alg),
        ("alg", json!(384), alg),
    ] {
        let token = issuer.token().header(member, value.clone()).sign();
        for validator in [&strict, &lenient] {
            let err = validator.validate(&token).await.unwrap_err();
            assert_eq!(err, AuthError::MalformedToken(problem), "{member}: {value}");
            assert_eq!((err.status(), err.code()), (401, Some("invalid_token")));
        }
    }
}

#[tokio::test]
async fn token_without_kid_needs_exactly_one_fitting_key() {
    let issuer = TestIssuer::start().await;
    let first = issuer.signing_key();
    let validator = validator(issuer.config());
    let token = issuer.token().without_header("kid").sign();
    validator.validate(&token).await.expect("one ES384 key");

    issuer.set_keys(vec![first, TestKey::generate(Algorithm::ES384)]);
    let validator = Validator::new(issuer.config()).expect("config");
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::AmbiguousKey
    );
}

#[tokio::test]
async fn an_unknown_kid_refetch_that_finds_nothing_holds_the_next_back() {
    let issuer = TestIssuer::start().await;
    let validator = validator(
        issuer
            .config()
            .unknown_kid_cooldown(Duration::from_secs(30)),
    );
    validator
        .validate(&issuer.token().sign())
        .await
        .expect("warm");
    assert_eq!(issuer.jwks_requests(), 1);

    let token = issuer.token().kid("no-such-key").sign();
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::UnknownKey
    );
    assert_eq!(issuer.jwks_requests(), 2, "one refetch for the unknown kid");
    assert_eq!(
        issuer.jwks_not_modified(),
        1,
        "conditional: the unchanged set costs a 304"
    );
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::UnknownKey
    );
    assert_eq!(
        issuer.jwks_requests(),
        2,
        "no second refetch within the hold"
    );
}

#[tokio::test]
async fn a_flood_of_unknown_kids_fetches_within_the_documented_bound() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    validator
        .validate(&issuer.token().sign())
        .await
        .expect("warm");
    let before = issuer.jwks_requests();
    let tokens: Vec<_> = (0..1000)
        .map(|i| issuer.token().kid(format!("forged-{i}")).sign())
        .collect();
    let started = std::time::Instant::now();
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let validator = validator.clone();
            tokio::spawn(async move { validator.validate(&token).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(
            task.await.expect("task").unwrap_err(),
            AuthError::UnknownKey
        );
    }
    let fetches = u64::try_from(issuer.jwks_requests() - before).expect("count");
    let bound = max_unknown_kid_fetches(started.elapsed(), Duration::from_secs(30));
    assert!(
        fetches <= bound,
        "{fetches} fetches for 1000 forged kids, bound {bound}"
    );
}

#[tokio::test]
async fn rotation_is_accepted_on_first_sight() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    validator
        .validate(&issuer.token().sign())
        .await
        .expect("old key");
    // The initial fetch does not use up the unknown-kid window, so the new key is fetched now.
    issuer.rotate(TestKey::generate(Algorithm::RS256).without_alg());
    let token = issuer.token().sign();
    let verified = validator
        .validate(&token)
        .await
        .expect("new key on first sight");
    assert_eq!(verified.issuer(), issuer.issuer());
    assert_eq!(issuer.jwks_requests(), 2);
}

#[tokio::test]
async fn concurrent_rotation_requests_share_one_fetch() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    validator
        .validate(&issuer.token().sign())
        .await
        .expect("old key");
    issuer.set_fault(JwksFault::Delay(Duration::from_millis(200)));
    issuer.rotate(TestKey::generate(Algorithm::ES384));
    let token = issuer.token().sign();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let validator = validator.clone();
            let token = token.clone();
            tokio::spawn(async move { validator.validate(&token).await })
        })
        .collect();
    for task in tasks {
        task.await
            .expect("task")
            .expect("new key accepted by every waiter");
    }
    assert_eq!(issuer.jwks_requests(), 2);
}

#[tokio::test]
async fn cold_cache_makes_exactly_one_request_for_200_validations() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let token = issuer.token().sign();
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let validator = validator.clone();
            let token = token.clone();
            tokio::spawn(async move { validator.validate(&token).await })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("valid");
    }
    assert_eq!(issuer.jwks_requests(), 1);
    assert_eq!(validator.metrics().key_fetches, 1);
}

#[tokio::test]
async fn jwks_down_at_first_use_is_keys_unavailable() {
    let issuer = TestIssuer::start().await;
    let token = issuer.token().sign();
    issuer.stop();
    let validator = validator(issuer.config().failed_fetch_backoff(Duration::from_secs(2)));
    let err = validator.validate(&token).await.unwrap_err();
    assert!(matches!(err, AuthError::KeysUnavailable { .. }), "{err:?}");
    assert_eq!(err.status(), 503);
    assert!(
        err.retry_after()
            .is_some_and(|d| d >= Duration::from_secs(1))
    );

    issuer.resume().await;
    // Within the backoff no new fetch is made; after it the keys are fetched.
    assert!(matches!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::KeysUnavailable { .. }
    ));
    assert_eq!(issuer.jwks_requests(), 0);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    validator
        .validate(&token)
        .await
        .expect("recovered without restart");
}

#[tokio::test]
async fn jwks_down_after_caching_keeps_validating() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config().keys_max_age(Duration::from_millis(100)));
    let token = issuer.token().sign();
    validator.validate(&token).await.expect("warm");
    issuer.stop();
    tokio::time::sleep(Duration::from_millis(150)).await;
    for _ in 0..3 {
        validator
            .validate(&token)
            .await
            .expect("stale keys keep serving");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn stale_keys_are_refreshed_in_the_background() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config().keys_max_age(Duration::from_millis(100)));
    validator
        .validate(&issuer.token().sign())
        .await
        .expect("warm");
    tokio::time::sleep(Duration::from_millis(150)).await;
    validator
        .validate(&issuer.token().sign())
        .await
        .expect("stale set serves");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(issuer.jwks_requests(), 2, "one background refresh");
}

#[tokio::test]
async fn removed_key_is_refused_after_refresh() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config().keys_max_age(Duration::from_millis(100)));
    let old = issuer.token().sign();
    validator.validate(&old).await.expect("warm");
    issuer.set_keys(vec![TestKey::generate(Algorithm::ES384)]);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let _ = validator.validate(&old).await; // triggers the refresh
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        validator.validate(&old).await.unwrap_err(),
        AuthError::UnknownKey
    );
}

async fn assert_unavailable_within(fault: JwksFault, limit: Duration) {
    let issuer = TestIssuer::start().await;
    issuer.set_fault(fault.clone());
    let validator = validator(
        issuer
            .config()
            .fetch_timeout(Duration::from_millis(500))
            .max_jwks_bytes(4096),
    );
    let started = std::time::Instant::now();
    let err = validator
        .validate(&issuer.token().sign())
        .await
        .expect_err("keys cannot be fetched");
    assert!(
        matches!(err, AuthError::KeysUnavailable { .. }),
        "{fault:?}: {err:?}"
    );
    assert!(
        started.elapsed() < limit,
        "{fault:?} took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn hostile_jwks_responses_give_clean_errors_within_the_timeout() {
    let limit = Duration::from_secs(3);
    assert_unavailable_within(JwksFault::Status(500), limit).await;
    assert_unavailable_within(JwksFault::Body(b"<html>oops</html>".to_vec()), limit).await;
    assert_unavailable_within(JwksFault::Body(vec![b' '; 10_000]), limit).await;
    assert_unavailable_within(
        JwksFault::Body(br#"{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}"#.to_vec()),
        limit,
    )
    .await;
    assert_unavailable_within(JwksFault::Delay(Duration::from_secs(5)), limit).await;
}

#[tokio::test]
async fn one_odd_key_does_not_poison_the_set() {
    let issuer = TestIssuer::start().await;
    let good = issuer.signing_key().public_jwk();
    let body = json!({"keys": [
        {"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA", "kid": "p521"},
        {"kty": "RSA", "n": "AQAB", "e": "AQAB", "kid": "short-rsa"},
        {"kty": "EC", "crv": "P-384", "use": "enc", "x": "AA", "y": "AA", "kid": "enc"},
        {"kty": "whatever"},
        "not an object",
        good,
    ]});
    issuer.set_fault(JwksFault::Body(body.to_string().into_bytes()));
    validator(issuer.config())
        .validate(&issuer.token().sign())
        .await
        .expect("the good key still works");
}

#[tokio::test]
async fn discovers_the_jwks_uri_from_the_issuer() {
    let issuer = TestIssuer::start().await;
    let config = Config::with_issuer(issuer.issuer()).resource(RESOURCE);
    let token = issuer.token().sign();
    validator(config)
        .validate(&token)
        .await
        .expect("discovered keys");
}

#[tokio::test]
async fn not_a_jwt_explains_logto_opaque_tokens() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let err = validator.validate("sQ8k3Vh7Xw9-opaque").await.unwrap_err();
    assert_eq!(err, AuthError::NotAJwt);
    assert!(err.to_string().contains("request a `resource`"), "{err}");
    assert_eq!(
        validator.validate("a.b.c.d.e").await.unwrap_err(),
        AuthError::MalformedToken("encrypted tokens (JWE) are not accepted")
    );
    assert_eq!(
        validator.validate("a.b").await.unwrap_err(),
        AuthError::MalformedToken("a JWT has exactly three parts")
    );
}

#[tokio::test]
async fn policies_check_scopes_all_and_any() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let token = issuer
        .token()
        .scopes(["read:orders", "write:orders"])
        .sign();
    let all = Policy::all(RESOURCE, &["read:orders", "write:orders"]);
    validator
        .authorize(&token, &all)
        .await
        .expect("all granted");
    let missing = Policy::all(RESOURCE, &["read:orders", "delete:orders"]);
    let err = validator.authorize(&token, &missing).await.unwrap_err();
    assert_eq!(err.status(), 403);
    assert_eq!(err.required_scope(), Some("read:orders delete:orders"));
    let any = Policy::any(RESOURCE, &["admin:orders", "write:orders"]);
    validator
        .authorize(&token, &any)
        .await
        .expect("one of them");
    let case = Policy::all(RESOURCE, &["Read:orders"]);
    assert_eq!(
        validator
            .authorize(&token, &case)
            .await
            .unwrap_err()
            .status(),
        403
    );
    let prefix = Policy::all(RESOURCE, &["read"]);
    assert_eq!(
        validator
            .authorize(&token, &prefix)
            .await
            .unwrap_err()
            .status(),
        403
    );

    let no_scope = issuer.token().sign();
    let verified = validator.validate(&no_scope).await.expect("valid");
    assert!(verified.scopes().is_empty());
    assert!(
        verified.claim::<String>("scope").is_none(),
        "Logto omits scope when none"
    );
}

#[tokio::test]
async fn access_token_exposes_claims() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config().organization_tokens(true));
    let token = issuer
        .token()
        .machine_to_machine("app-1")
        .organization_id("org-7")
        .claim("roles", json!(["admin"]))
        .sign();
    let verified = validator.validate(&token).await.expect("valid");
    assert!(verified.is_machine_to_machine());
    assert_eq!(verified.subject(), Some("app-1"));
    assert_eq!(verified.organization_id(), Some("org-7"));
    assert_eq!(
        verified.claim::<Vec<String>>("roles").map(Result::ok),
        Some(Some(vec!["admin".to_owned()]))
    );
    assert!(verified.claim::<u32>("roles").is_some_and(|r| r.is_err()));
    let user = validator
        .validate(&issuer.token().subject("user-1").client_id("app-1").sign())
        .await
        .expect("valid");
    assert!(!user.is_machine_to_machine());
}

#[tokio::test]
async fn error_descriptions_never_echo_the_token() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let token = issuer
        .token()
        .claim("aud", "https://secret-audience.example.com")
        .kid("secret-kid")
        .sign();
    for candidate in [token.clone(), format!("{token}x"), token.replace('.', "")] {
        let err = validator.validate(&candidate).await.unwrap_err();
        let text = format!("{err} {err:?}");
        for part in candidate.split('.') {
            assert!(!text.contains(part), "{text}");
        }
        assert!(
            !text.contains("secret-audience") && !text.contains("secret-kid"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_cached_token_still_expires() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config().leeway(Duration::ZERO));
    let token = issuer.token().expires_at(now() + 2).sign();
    validator.validate(&token).await.expect("fresh");
    validator
        .validate(&token)
        .await
        .expect("cached, still fresh");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        validator.validate(&token).await.unwrap_err(),
        AuthError::Expired
    );
}

#[tokio::test]
async fn a_cached_token_is_dropped_when_its_kid_is_reused_for_another_key() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config().keys_max_age(Duration::from_millis(100)));
    let old = issuer.token().sign();
    validator.validate(&old).await.expect("verified and cached");
    let kid = issuer.signing_key().kid().to_owned();
    issuer.set_keys(vec![TestKey::generate(Algorithm::ES384).with_kid(kid)]);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let _ = validator.validate(&old).await; // a stale set: refreshed in the background
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        validator.validate(&old).await.unwrap_err(),
        AuthError::InvalidSignature
    );
}

#[tokio::test]
async fn cached_tokens_are_still_checked_against_each_policy() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let token = issuer.token().scopes(["read:orders"]).sign();
    let read = Policy::all(RESOURCE, &["read:orders"]);
    let write = Policy::all(RESOURCE, &["write:orders"]);
    let other = Policy::all("https://other.example.com", &[]);
    for _ in 0..2 {
        validator.authorize(&token, &read).await.expect("granted");
        assert_eq!(
            validator
                .authorize(&token, &write)
                .await
                .unwrap_err()
                .status(),
            403
        );
        assert_eq!(
            validator
                .authorize(&token, &other)
                .await
                .unwrap_err()
                .status(),
            401
        );
    }
}

#[tokio::test]
async fn the_cache_can_be_turned_off() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config().token_cache_bytes(0));
    let token = issuer.token().sign();
    validator.validate(&token).await.expect("valid");
    validator
        .validate(&token)
        .await
        .expect("valid again, verified again");
}

#[tokio::test]
async fn organization_context_is_part_of_the_grant() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let not_for_organizations = Err(AuthError::OrganizationNotAllowed);

    // An organization-level API resource token: the resource, plus `organization_id`.
    let organization_level = issuer
        .token()
        .organization_id("org-a")
        .scopes(["read:orders"])
        .sign();
    assert_eq!(
        validator.validate(&organization_level).await.map(|_| ()),
        not_for_organizations
    );
    let verified = validator
        .authorize(
            &organization_level,
            &Policy::all(RESOURCE, &["read:orders"]).in_organization("org-a"),
        )
        .await
        .expect("the organization's own policy");
    assert_eq!(verified.organization_id(), Some("org-a"));
    let tenant_wide = Policy::all(RESOURCE, &["read:orders"]);
    assert_eq!(tenant_wide.check(&verified), not_for_organizations);
    assert_eq!(tenant_wide.optional_organization().check(&verified), Ok(()));
    // An empty `organization_id` or an organization audience next to the resource still
    // binds the token to an organization.
    for bound in [
        issuer.token().organization_id("").sign(),
        issuer
            .token()
            .claim("aud", json!([RESOURCE, "urn:logto:organization:org-a"]))
            .sign(),
        issuer
            .token()
            .claim("aud", json!([RESOURCE, "urn:logto:organization:"]))
            .sign(),
    ] {
        let permissive = Validator::new(issuer.config().organization_tokens(true)).expect("config");
        let token = permissive.validate(&bound).await.expect("valid");
        assert_eq!(
            Policy::all(RESOURCE, &[]).check(&token),
            not_for_organizations
        );
        assert_eq!(
            validator.validate(&bound).await.map(|_| ()),
            not_for_organizations
        );
    }

    // `organization = optional` takes a token for no organization or for exactly one; one that
    // names an organization but not one (empty, or claim and audience disagreeing) cannot be
    // filed under any.
    let permissive = Validator::new(issuer.config().organization_tokens(true)).expect("config");
    let either = Policy::all(RESOURCE, &[]).optional_organization();
    for unclear in [
        issuer.token().organization_id("").sign(),
        issuer
            .token()
            .organization_id("org-a")
            .claim("aud", json!([RESOURCE, "urn:logto:organization:org-b"]))
            .sign(),
    ] {
        let token = permissive.validate(&unclear).await.expect("valid");
        assert_eq!(either.check(&token), Err(AuthError::OrganizationRequired));
    }
    // `"organization_id": null` is no way to be bound to none.
    let null = issuer.token().claim("organization_id", json!(null)).sign();
    assert_eq!(
        validator.validate(&null).await.map(|_| ()),
        Err(AuthError::InvalidClaim {
            claim: "organization_id",
            expected: "a string"
        })
    );

    // An empty resource is no organization requirement: it matches no token at all.
    let organization_token = issuer.token().organization_token("org-a").sign();
    let plain = issuer.token().audience("").sign();
    for token in [&organization_token, &plain, &organization_level] {
        let result = validator.authorize(token, &Policy::all("", &[])).await;
        assert_eq!(
            result.map_err(|e| e.to_string()).map(|_| ()),
            Err("audience mismatch: the token is not for this API".to_owned())
        );
    }
}

#[tokio::test]
async fn an_audience_mismatch_never_names_the_accepted_resources() {
    let issuer = TestIssuer::start().await;
    let internal = "https://internal-billing.example.com";
    let stranger = issuer.token().audience("https://other.example.com").sign();
    let not_for_this_api = "audience mismatch: the token is not for this API";
    for config in [
        issuer.config().resource(internal),
        issuer.config().resource(internal).organization_tokens(true),
        Config::new(issuer.endpoint()),
    ] {
        let err = validator(config).validate(&stranger).await.unwrap_err();
        assert_eq!(err.to_string(), not_for_this_api);
        let challenge = err.challenge("api").expect("a challenge");
        assert_eq!(
            challenge,
            format!(
                "Bearer realm=\"api\", error=\"invalid_token\", \
                 error_description=\"{not_for_this_api}\""
            )
        );
    }
    // A route's own resource is not named either.
    let checked = validator(issuer.config().organization_tokens(true));
    let organization_token = checked
        .validate(&issuer.token().organization_token("org-a").sign())
        .await
        .expect("an organization token");
    for resource in [internal, ""] {
        let err = Policy::all(resource, &[])
            .check(&organization_token)
            .unwrap_err();
        assert_eq!(err.to_string(), not_for_this_api);
    }
    // Only organization tokens: that kind is named, as it names no API.
    let organizations_only = validator(Config::new(issuer.endpoint()).organization_tokens(true));
    assert_eq!(
        organizations_only
            .validate(&stranger)
            .await
            .unwrap_err()
            .to_string(),
        "audience mismatch: this API expects a token for an organization \
         (urn:logto:organization:<id>)"
    );
}

#[tokio::test]
async fn two_rotations_within_one_cooldown_window_are_both_accepted_at_once() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    validator
        .validate(&issuer.token().sign())
        .await
        .expect("first key");
    issuer.rotate(TestKey::generate(Algorithm::RS256).without_alg());
    validator
        .validate(&issuer.token().sign())
        .await
        .expect("second key on first sight");
    issuer.rotate(TestKey::generate(Algorithm::ES384));
    validator
        .validate(&issuer.token().sign())
        .await
        .expect("third key on first sight, seconds later");
    assert_eq!(
        issuer.jwks_requests(),
        3,
        "the initial fetch and one per rotation"
    );
}

/// 1,000 forged `kid`s arrive in three bursts: with each of two rotations, and after them.
/// Each rotation's refetch finds a changed set, so it starts no cooldown and the second
/// rotation is still seen at once; the refetch after them finds the same set (a 304), which
/// starts the cooldown that stops every later forged `kid`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_kids_interleaved_with_two_rotations_cost_at_most_three_fetches() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    validator
        .validate(&issuer.token().sign())
        .await
        .expect("warm");
    let warm = issuer.jwks_requests();
    // Slow answers keep each burst's requests waiting on the one fetch in flight.
    issuer.set_fault(JwksFault::Delay(Duration::from_millis(300)));
    let burst = |real: Option<String>, forged: std::ops::Range<usize>| {
        let tokens: Vec<(bool, String)> = real
            .into_iter()
            .map(|token| (true, token))
            .chain(forged.map(|i| (false, issuer.token().kid(format!("forged-{i}")).sign())))
            .collect();
        let tasks: Vec<_> = tokens
            .into_iter()
            .map(|(real, token)| {
                let validator = validator.clone();
                tokio::spawn(async move { (real, validator.validate(&token).await) })
            })
            .collect();
        async move {
            for task in tasks {
                match task.await.expect("task") {
                    (true, outcome) => {
                        outcome.expect("the rotated key is accepted at once");
                    }
                    (false, outcome) => {
                        assert_eq!(outcome.unwrap_err(), AuthError::UnknownKey);
                    }
                }
            }
        }
    };
    for (rotation, forged) in [(0, 0..333), (1, 333..666)] {
        issuer.rotate(TestKey::generate(Algorithm::ES384));
        burst(Some(issuer.token().sign()), forged).await;
        assert_eq!(
            issuer.jwks_requests() - warm,
            rotation + 1,
            "one fetch per rotation"
        );
    }
    burst(None, 666..1000).await;
    let fetches = issuer.jwks_requests() - warm;
    assert!(fetches <= 3, "{fetches} fetches");
    assert_eq!(
        (fetches, issuer.jwks_not_modified()),
        (3, 1),
        "two changed sets and one 304"
    );
}

#[tokio::test]
async fn keys_unconfirmed_past_max_stale_are_dropped_until_a_fetch_succeeds() {
    let issuer = TestIssuer::start().await;
    let validator = validator(
        issuer
            .config()
            .keys_max_age(Duration::from_millis(200))
            .keys_max_stale(Duration::from_millis(1000))
            .failed_fetch_backoff(Duration::from_millis(100)),
    );
    let token = issuer.token().sign();
    validator.validate(&token).await.expect("warm");
    issuer.stop();
    tokio::time::sleep(Duration::from_millis(500)).await;
    validator
        .validate(&token)
        .await
        .expect("stale keys serve within max stale");
    tokio::time::sleep(Duration::from_millis(600)).await;
    let err = validator.validate(&token).await.unwrap_err();
    assert!(matches!(err, AuthError::KeysUnavailable { .. }), "{err:?}");
    assert_eq!(err.status(), 503);
    assert!(err.retry_after().is_some());
    let metrics = validator.metrics();
    assert!(metrics.keys_expired && !metrics.ready && !validator.metrics().ready);
    assert_eq!((metrics.keys, metrics.key_set_age), (0, None));

    issuer.resume().await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    validator
        .validate(&token)
        .await
        .expect("a successful fetch restores service");
    let metrics = validator.metrics();
    assert!(!metrics.keys_expired && metrics.ready);
}

#[tokio::test]
async fn a_discovered_jwks_uri_is_held_to_the_configured_rule() {
    let issuer = TestIssuer::start().await;
    let with_credentials = issuer
        .endpoint()
        .replacen("http://", "http://svc:s3cret@", 1)
        + "/oidc/jwks";
    for discovered in ["http://keys.example.com/oidc/jwks", &with_credentials] {
        issuer.set_discovered_jwks_uri(discovered);
        let validator = validator(Config::with_issuer(issuer.issuer()).resource(RESOURCE));
        let err = validator
            .validate(&issuer.token().sign())
            .await
            .unwrap_err();
        assert!(
            matches!(err, AuthError::KeysUnavailable { .. }),
            "{discovered}: {err:?}"
        );
        assert_eq!(validator.metrics().key_fetch_failures, 1);
        assert_eq!(issuer.jwks_requests(), 0, "{discovered}");
    }
}

#[tokio::test]
async fn an_rsa_key_without_alg_verifies_rs256_only_unless_configured() {
    let issuer = TestIssuer::start().await;
    let key = TestKey::generate(Algorithm::RS256).without_alg();
    issuer.set_keys(vec![key.clone()]);
    let token_by = |alg| {
        issuer
            .token()
            .signed_by(&key.clone().signing_with(alg))
            .sign()
    };
    let strict = validator(issuer.config());
    strict
        .validate(&token_by(Algorithm::RS256))
        .await
        .expect("RS256, what Logto signs with");
    for alg in [Algorithm::PS256, Algorithm::RS512] {
        assert_eq!(
            strict.validate(&token_by(alg)).await.unwrap_err(),
            AuthError::AlgorithmKeyMismatch,
            "{alg} under an RSA key without alg"
        );
    }
    let widened = validator(issuer.config().algorithms([
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::RS512,
    ]));
    for alg in [Algorithm::RS256, Algorithm::PS256, Algorithm::RS512] {
        widened
            .validate(&token_by(alg))
            .await
            .unwrap_or_else(|e| panic!("{alg} configured explicitly: {e}"));
    }
}

#[tokio::test]
async fn a_key_with_alg_verifies_that_alg_only() {
    let issuer = TestIssuer::start().await;
    let key = TestKey::generate(Algorithm::RS256);
    assert_eq!(key.public_jwk()["alg"], "RS256");
    issuer.set_keys(vec![key.clone()]);
    let widened = validator(
        issuer
            .config()
            .algorithms([Algorithm::RS256, Algorithm::PS256]),
    );
    let pss = issuer
        .token()
        .signed_by(&key.signing_with(Algorithm::PS256))
        .sign();
    assert_eq!(
        widened.validate(&pss).await.unwrap_err(),
        AuthError::AlgorithmKeyMismatch
    );
}

#[test]
fn every_duration_is_bounded_on_both_sides_with_a_message_that_states_the_range() {
    let base = || Config::new("https://tenant.logto.app");
    let ms = Duration::from_millis;
    let s = Duration::from_secs;
    let cases = [
        (
            base().leeway(s(60_000)),
            "`leeway` must be between 0 s and 300 s (5 min), not 60000 s (durations are in \
             seconds): a longer leeway would accept tokens long after they expired",
        ),
        (
            base().unknown_kid_cooldown(Duration::from_micros(1)),
            "`unknown_kid_cooldown` must be between 1 s and 600 s (10 min), not 0.000001 s \
             (durations are in seconds): forged `kid`s could make the key set be fetched back \
             to back",
        ),
        (
            base().unknown_kid_cooldown(s(3600)),
            "`unknown_kid_cooldown` must be between 1 s and 600 s (10 min), not 3600 s \
             (durations are in seconds): the tokens of a new signing key could be refused that \
             long",
        ),
        (
            base().failed_fetch_backoff(Duration::ZERO),
            "`failed_fetch_backoff` must be between 0.1 s and 300 s (5 min), not 0 s (durations \
             are in seconds): every request would retry an unreachable Logto",
        ),
        (
            base().failed_fetch_backoff(s(301)),
            "`failed_fetch_backoff` must be between 0.1 s and 300 s (5 min), not 301 s \
             (durations are in seconds): requests could get 503 that long after Logto is back",
        ),
        (
            base().keys_max_age(ms(99)),
            "`keys_max_age` must be between 0.1 s and 86400 s (24 h), not 0.099 s (durations \
             are in seconds): the key set would be refetched for almost every request",
        ),
        (
            base().keys_max_age(s(86_401)),
            "`keys_max_age` must be between 0.1 s and 86400 s (24 h), not 86401 s (durations \
             are in seconds): a key Logto removed would be trusted that long",
        ),
        (
            base().keys_max_stale(Duration::ZERO),
            "`keys_max_stale` must be between 0.1 s and 604800 s (7 days), not 0 s (durations \
             are in seconds): keys would be dropped almost as soon as they are fetched",
        ),
        (
            base().keys_max_stale(s(30 * 24 * 3600)),
            "`keys_max_stale` must be between 0.1 s and 604800 s (7 days), not 2592000 s \
             (durations are in seconds): an instance cut off from Logto would trust a key Logto \
             removed that long",
        ),
        (
            base().fetch_timeout(ms(50)),
            "`fetch_timeout` must be between 0.1 s and 60 s, not 0.05 s (durations are in \
             seconds): no key-set fetch could succeed",
        ),
        (
            base().fetch_timeout(s(600)),
            "`fetch_timeout` must be between 0.1 s and 60 s, not 600 s (durations are in \
             seconds): requests would wait that long on a Logto that does not answer",
        ),
        (
            base().keys_max_age(s(600)).keys_max_stale(s(60)),
            "`keys_max_stale` must be greater than `keys_max_age`, or keys would be dropped the \
             moment their background refresh is due: raise `keys_max_stale` (default 86400 s, \
             24 h)",
        ),
        (
            base().keys_max_age(s(600)).keys_max_stale(s(600)),
            "`keys_max_stale` must be greater than `keys_max_age`, or keys would be dropped the \
             moment their background refresh is due: raise `keys_max_stale` (default 86400 s, \
             24 h)",
        ),
        (
            base().max_jwks_bytes(0),
            "`max_jwks_bytes` must be greater than zero, or no key set could be read: set it to \
             a positive number of bytes (default 262144)",
        ),
    ];
    for (config, message) in cases {
        let err = config.check().expect_err(message);
        assert_eq!(err.to_string(), message);
        assert!(Validator::new(config).is_err(), "{message}");
    }
    // Each bound itself is accepted.
    for config in [
        base().leeway(Duration::ZERO),
        base().leeway(s(300)),
        base().unknown_kid_cooldown(s(1)),
        base().unknown_kid_cooldown(s(600)),
        base().failed_fetch_backoff(ms(100)),
        base().failed_fetch_backoff(s(300)),
        base().keys_max_age(ms(100)).keys_max_stale(ms(101)),
        base().keys_max_age(s(86_400)).keys_max_stale(s(604_800)),
        base().fetch_timeout(ms(100)),
        base().fetch_timeout(s(60)),
    ] {
        config.check().unwrap_or_else(|e| panic!("{config:?}: {e}"));
    }
}

#[test]
fn credentials_in_a_configured_url_are_refused() {
    let tenant = || Config::new("https://tenant.logto.app");
    for (config, field) in [
        (
            Config::new("https://svc:s3cret@tenant.logto.app"),
            "endpoint",
        ),
        (
            Config::with_issuer("https://svc@tenant.logto.app/oidc"),
            "issuer",
        ),
        (
            tenant().jwks_uri("https://svc:s3cret@keys.example.com/jwks"),
            "jwks_uri",
        ),
        (
            tenant().jwks_uri("http://:s3cret@127.0.0.1:3001/oidc/jwks"),
            "jwks_uri",
        ),
        (
            tenant().public_url("https://:s3cret@api.example.com"),
            "public_url",
        ),
    ] {
        let err = config.check().expect_err(field);
        assert_eq!(
            err.to_string(),
            format!(
                "`{field}` must not contain a user name or password (user:password@host): they \
                 would end up in logs; remove them"
            )
        );
        assert!(Validator::new(config).is_err(), "{field}");
    }
}

#[tokio::test]
async fn a_payload_is_one_valid_json_object_without_repeated_members() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let key = issuer.signing_key();
    let header = URL_SAFE_NO_PAD
        .encode(json!({"alg": "ES384", "typ": "at+jwt", "kid": key.kid()}).to_string());
    let exp = now() + 60;
    let iss = issuer.issuer();
    for (payload, problem) in [
        (
            format!(
                r#"{{"iss":"{iss}","aud":"{RESOURCE}","exp":{exp},"exp":{}}}"#,
                exp + 3600
            ),
            "payload repeats a claim",
        ),
        (
            format!(r#"{{"iss":"{iss}","aud":"{RESOURCE}","exp":{exp},"role":"a","role":"b"}}"#),
            "payload repeats a claim",
        ),
        (
            format!(
                r#"{{"iss":"{iss}","aud":"{RESOURCE}","exp":{exp},"role":"a","r\u006fle":"b"}}"#
            ),
            "payload repeats a claim",
        ),
        (
            format!(r#"{{"iss":"{iss}","aud":"{RESOURCE}","exp":{exp},"\u0065xp":{exp}}}"#),
            "payload repeats a claim",
        ),
        (
            format!(r#"["{iss}","{RESOURCE}",{exp}]"#),
            "payload is not a JSON object",
        ),
        ("\"a string\"".to_owned(), "payload is not a JSON object"),
        // A custom claim is held to the same JSON rules as a registered one.
        (
            format!(r#"{{"iss":"{iss}","aud":"{RESOURCE}","exp":{exp},"role":"\ud800"}}"#),
            "payload is not a JSON object",
        ),
        (
            format!(r#"{{"iss":"{iss}","aud":"{RESOURCE}","exp":{exp},"size":1e400}}"#),
            "payload is not a JSON object",
        ),
        (
            format!(
                r#"{{"iss":"{iss}","aud":"{RESOURCE}","exp":{exp},"deep":{}{}}}"#,
                "[".repeat(200),
                "]".repeat(200)
            ),
            "payload is not a JSON object",
        ),
    ] {
        let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload));
        let token = format!("{input}.{}", key.sign_raw(input.as_bytes()));
        assert_eq!(
            validator.validate(&token).await.map(|_| ()),
            Err(AuthError::MalformedToken(problem)),
            "{problem}"
        );
    }
}

/// A tenant on its own endpoint and on a custom domain: another issuer URL, the same keys.
async fn tenant_and_custom_domain() -> (TestIssuer, TestIssuer) {
    let tenant = TestIssuer::start().await;
    let domain = TestIssuer::start().await;
    domain.set_keys(vec![tenant.signing_key()]);
    (tenant, domain)
}

#[tokio::test]
async fn tokens_of_every_configured_issuer_are_accepted_each_checked_with_its_own_keys() {
    let (tenant, domain) = tenant_and_custom_domain().await;
    let validator = validator(tenant.config().custom_domain(domain.endpoint()));
    assert_eq!(
        validator.issuers().collect::<Vec<_>>(),
        [tenant.issuer(), domain.issuer()]
    );
    for issuer in [&tenant, &domain] {
        let token = issuer.token().scopes(["read:orders"]).sign();
        let verified = validator.validate(&token).await.expect("trusted");
        assert_eq!(verified.issuer(), issuer.issuer());
        // The repeated token: from the cache, against its own issuer's keys.
        let again = validator.validate(&token).await.expect("cached");
        assert_eq!(again.issuer(), issuer.issuer());
    }
    assert_eq!(
        (tenant.jwks_requests(), domain.jwks_requests()),
        (1, 1),
        "each issuer's keys from its own domain, once"
    );
    validator.warm_up().await.expect("both loaded");
    let metrics = validator.metrics();
    assert!(metrics.ready);
    assert_eq!((metrics.keys, metrics.key_fetches), (1, 2));
}

#[tokio::test]
async fn an_untrusted_issuer_is_refused_before_anything_is_fetched() {
    let (tenant, domain) = tenant_and_custom_domain().await;
    let validator = validator(tenant.config().custom_domain(domain.endpoint()));
    validator.warm_up().await.expect("keys");
    let fetches = (tenant.jwks_requests(), domain.jwks_requests());
    // Another Logto, and one that signs with the tenant's own key: neither is trusted.
    let stranger = TestIssuer::start().await;
    let thief = TestIssuer::start().await;
    thief.set_keys(vec![tenant.signing_key()]);
    for token in [
        stranger.token().sign(),
        stranger.token().kid("forged").sign(),
        thief.token().sign(),
        tenant
            .token()
            .claim("iss", format!("{}/", domain.issuer()))
            .sign(),
        tenant.token().claim("iss", domain.endpoint()).sign(),
    ] {
        let error = validator.validate(&token).await.unwrap_err();
        assert_eq!(error, AuthError::UntrustedIssuer);
        assert_eq!(error.to_string(), "token issuer is not trusted");
        assert_eq!(error.status(), 401);
        assert_eq!(error.code(), Some("invalid_token"));
    }
    assert_eq!(
        (stranger.jwks_requests(), thief.jwks_requests()),
        (0, 0),
        "nothing a token names is fetched"
    );
    assert_eq!(
        (tenant.jwks_requests(), domain.jwks_requests()),
        fetches,
        "no refetch of a trusted issuer either"
    );
}

#[tokio::test]
async fn each_issuer_keeps_its_own_keys_and_holds() {
    let (tenant, domain) = tenant_and_custom_domain().await;
    let validator = validator(
        tenant
            .config()
            .custom_domain(domain.endpoint())
            .unknown_kid_cooldown(Duration::from_secs(30)),
    );
    let on_tenant = tenant.token().sign();
    let on_domain = domain.token().sign();
    validator.validate(&on_tenant).await.expect("tenant");
    validator.validate(&on_domain).await.expect("domain");

    // The domain's set loses the key (a replica serving another set): a cached token of the
    // domain is checked against the domain's keys, the tenant's are untouched.
    domain.set_keys(vec![TestKey::generate(Algorithm::ES384)]);
    let forged = domain
        .token()
        .signed_by(&tenant.signing_key())
        .kid("forged")
        .sign();
    assert_eq!(
        validator.validate(&forged).await.unwrap_err(),
        AuthError::UnknownKey
    );
    assert_eq!(
        domain.jwks_requests(),
        2,
        "one refetch, of the domain's keys"
    );
    assert_eq!(tenant.jwks_requests(), 1, "none of the tenant's");
    assert_eq!(
        validator.validate(&on_domain).await.unwrap_err(),
        AuthError::UnknownKey,
        "the domain's new set lacks the key, cache or not"
    );
    validator
        .validate(&on_tenant)
        .await
        .expect("the tenant's set still has it");

    // After a refetch of the domain that found nothing new, the domain is held back; the
    // tenant is not.
    for kid in ["forged-2", "forged-3"] {
        assert_eq!(
            validator
                .validate(&domain.token().kid(kid).sign())
                .await
                .unwrap_err(),
            AuthError::UnknownKey
        );
    }
    assert_eq!(
        domain.jwks_requests(),
        3,
        "forged-2 refetched, forged-3 held back"
    );
    let forged_on_tenant = tenant.token().kid("forged-4").sign();
    assert_eq!(
        validator.validate(&forged_on_tenant).await.unwrap_err(),
        AuthError::UnknownKey
    );
    assert_eq!(
        (tenant.jwks_requests(), domain.jwks_requests()),
        (2, 3),
        "the tenant's own refetch, not held back by the domain's hold"
    );
}

#[tokio::test]
async fn a_flood_on_two_domains_costs_each_what_one_costs() {
    let (tenant, domain) = tenant_and_custom_domain().await;
    let validator = validator(tenant.config().custom_domain(domain.endpoint()));
    validator.warm_up().await.expect("keys");
    let before = (tenant.jwks_requests(), domain.jwks_requests());
    let tokens: Vec<_> = (0..1000)
        .map(|i| {
            let issuer = if i % 2 == 0 { &tenant } else { &domain };
            issuer.token().kid(format!("forged-{i}")).sign()
        })
        .collect();
    let started = std::time::Instant::now();
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let validator = validator.clone();
            tokio::spawn(async move { validator.validate(&token).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(
            task.await.expect("task").unwrap_err(),
            AuthError::UnknownKey
        );
    }
    let bound = max_unknown_kid_fetches(started.elapsed(), Duration::from_secs(30));
    for (name, fetches) in [
        ("tenant", tenant.jwks_requests() - before.0),
        ("domain", domain.jwks_requests() - before.1),
    ] {
        let fetches = u64::try_from(fetches).expect("count");
        assert!(
            (1..=bound).contains(&fetches),
            "{name}: {fetches} fetches, bound {bound}"
        );
    }
}

#[tokio::test]
async fn extra_issuers_of_an_explicit_issuer_use_their_own_key_set() {
    let (tenant, domain) = tenant_and_custom_domain().await;
    let validator = validator(
        Config::with_issuer(tenant.issuer())
            .jwks_uri(tenant.jwks_uri())
            .extra_issuer(domain.issuer())
            .resource(RESOURCE),
    );
    for issuer in [&tenant, &domain] {
        let verified = validator
            .validate(&issuer.token().sign())
            .await
            .expect("trusted");
        assert_eq!(verified.issuer(), issuer.issuer());
    }
    assert_eq!((tenant.jwks_requests(), domain.jwks_requests()), (1, 1));
    let stranger = TestIssuer::start().await;
    assert_eq!(
        validator
            .validate(&stranger.token().sign())
            .await
            .unwrap_err(),
        AuthError::UntrustedIssuer
    );
}

#[tokio::test]
async fn ready_only_once_every_issuers_keys_are_loaded() {
    let (tenant, domain) = tenant_and_custom_domain().await;
    domain.stop();
    let validator = validator(
        tenant
            .config()
            .custom_domain(domain.endpoint())
            .failed_fetch_backoff(Duration::from_millis(100)),
    );
    assert!(matches!(
        validator.warm_up().await,
        Err(AuthError::KeysUnavailable { .. })
    ));
    let metrics = validator.metrics();
    assert!(!metrics.ready, "the domain's keys are missing");
    assert_eq!(
        (
            metrics.keys,
            metrics.key_fetches,
            metrics.key_fetch_failures
        ),
        (0, 2, 1)
    );
    assert_eq!(metrics.last_fetch_success, None);
    assert!(metrics.last_fetch_failure.is_some());
    // The tenant's tokens verify meanwhile; the domain's wait for its keys.
    validator
        .validate(&tenant.token().sign())
        .await
        .expect("the tenant's keys are loaded");
    assert!(matches!(
        validator.validate(&domain.token().sign()).await,
        Err(AuthError::KeysUnavailable { .. })
    ));

    domain.resume().await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    validator.warm_up().await.expect("both loaded");
    let metrics = validator.metrics();
    assert!(metrics.ready);
    assert!(metrics.last_fetch_success.is_some());
    validator
        .validate(&domain.token().sign())
        .await
        .expect("the domain's keys are loaded");
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct TenantClaims {
    sub: String,
    tenant_id: String,
    roles: Vec<String>,
    #[serde(default)]
    seats: Option<u16>,
}

#[tokio::test]
async fn claims_read_the_payload_as_the_apps_type() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let token = issuer
        .token()
        .subject("user-1")
        .claim("tenant_id", "t-42")
        .claim("roles", json!(["admin", "billing"]))
        .sign();
    let verified = validator.validate(&token).await.expect("valid");
    assert_eq!(
        verified.claims::<TenantClaims>(),
        Ok(TenantClaims {
            sub: "user-1".to_owned(),
            tenant_id: "t-42".to_owned(),
            roles: vec!["admin".to_owned(), "billing".to_owned()],
            seats: None,
        })
    );
    // From the token cache: the same payload.
    let cached = validator.validate(&token).await.expect("cached");
    assert_eq!(cached.claims::<TenantClaims>(), verified.claims());

    let token = issuer
        .token()
        .subject("user-1")
        .claim("tenant_id", "t-42")
        .claim("roles", json!(["admin"]))
        .claim("seats", "secret-seats")
        .sign();
    let error = validator
        .validate(&token)
        .await
        .expect("valid")
        .claims::<TenantClaims>()
        .unwrap_err();
    assert_eq!(error.path(), "seats");
    assert_eq!(
        error.to_string(),
        "token claim `seats`: invalid type: string, expected u16"
    );
    let token = issuer.token().subject("user-1").sign();
    let error = validator
        .validate(&token)
        .await
        .expect("valid")
        .claims::<TenantClaims>()
        .unwrap_err();
    assert_eq!(error.to_string(), "token claims: missing field `tenant_id`");
}
