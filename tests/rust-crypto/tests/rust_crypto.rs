//! logto-guard verifies with its own aws-lc-rs keys, whatever `jsonwebtoken`'s process-wide
//! `CryptoProvider` is: here both of its backends are enabled (which makes `jsonwebtoken`
//! refuse to pick one on its own) and the rust-crypto provider is installed as the default.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::crypto::CryptoProvider;
use logto_guard::testing::{TestIssuer, TestKey};
use logto_guard::{Algorithm, AuthError, Validator};

/// Installs jsonwebtoken's rust-crypto provider for this process (once), and checks that it is
/// the one jsonwebtoken now uses.
fn install_rust_crypto() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        CryptoProvider::install_default(&jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER)
            .expect("no provider installed before");
    });
    let signed = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &serde_json::json!({"sub": "x"}),
        &jsonwebtoken::EncodingKey::from_secret(b"secret"),
    );
    assert!(
        signed.is_ok(),
        "jsonwebtoken signs with the installed provider"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_algorithm_verifies_and_forgeries_are_refused_with_rust_crypto_installed() {
    install_rust_crypto();
    for algorithm in [
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::EdDSA,
    ] {
        let issuer = TestIssuer::builder().algorithm(algorithm).start().await;
        let validator = Validator::new(issuer.config()).expect("config");
        let token = issuer.token().scopes(["read:orders"]).sign();
        validator
            .validate(&token)
            .await
            .unwrap_or_else(|e| panic!("{algorithm} refused: {e}"));

        let (header, payload, signature) = parts(&token);
        let forged_payload = URL_SAFE_NO_PAD.encode(
            String::from_utf8(URL_SAFE_NO_PAD.decode(payload).expect("payload"))
                .expect("UTF-8 payload")
                .replace("read:orders", "admin:orders"),
        );
        let mut flipped = URL_SAFE_NO_PAD.decode(signature).expect("signature");
        flipped[0] ^= 0x01;
        let foreign = TestKey::generate(algorithm).with_kid(issuer.signing_key().kid());
        let forgeries = [
            format!("{header}.{forged_payload}.{signature}"),
            format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(flipped)),
            issuer.token().signed_by(&foreign).sign(),
        ];
        for forgery in forgeries {
            assert_eq!(
                validator.validate(&forgery).await.unwrap_err(),
                AuthError::InvalidSignature,
                "{algorithm}"
            );
        }
    }
}

fn parts(token: &str) -> (&str, &str, &str) {
    let mut parts = token.split('.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(header), Some(payload), Some(signature)) => (header, payload, signature),
        _ => panic!("a compact JWS"),
    }
}
