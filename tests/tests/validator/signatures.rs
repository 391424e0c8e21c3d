//! Signatures: every algorithm Logto signs with, one algorithm per key, and the forgeries that must fail.

use super::*;

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
