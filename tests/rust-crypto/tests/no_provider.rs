//! Both of `jsonwebtoken`'s backends enabled and no provider installed: `jsonwebtoken` itself
//! panics on every signature operation, and logto-guard, which does not use it, verifies anyway.

use logto_guard::testing::TestIssuer;
use logto_guard::{Algorithm, Validator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_algorithm_verifies_while_jsonwebtoken_cannot_pick_a_provider() {
    let jsonwebtoken_signs = std::panic::catch_unwind(|| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &serde_json::json!({"sub": "x"}),
            &jsonwebtoken::EncodingKey::from_secret(b"secret"),
        )
    });
    assert!(
        jsonwebtoken_signs.is_err(),
        "with both backends on and none installed, jsonwebtoken panics"
    );
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
        validator
            .validate(&issuer.token().sign())
            .await
            .unwrap_or_else(|e| panic!("{algorithm} refused: {e}"));
    }
}
