//! The validated-token cache: what it remembers, and what it still checks.

use super::*;

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
    let token = issuer.token().sign();
    // The verify span says whether its verdict came from the token cache: the default cache
    // answers the repeated token, a cache of 0 bytes never does.
    let configs = [
        ("the default cache", issuer.config(), 1),
        (
            "token_cache_bytes = 0",
            issuer.config().token_cache_bytes(0),
            0,
        ),
    ];
    for (name, config, cache_hits) in configs {
        let validator = validator(config);
        let (logs, _capturing) = Logs::capture();
        validator.validate(&token).await.expect("valid");
        validator.validate(&token).await.expect("valid again");
        assert_eq!(
            logs.text().matches("cached=true").count(),
            cache_hits,
            "{name}:\n{}",
            logs.text()
        );
    }
}
