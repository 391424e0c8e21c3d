//! The key cache: unknown `kid`s, floods, rotations, outages, max stale, hostile key sets, discovery.

use super::*;

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
    let elapsed = refused_as_unknown_keys(&validator, tokens).await;
    let fetches = u64::try_from(issuer.jwks_requests() - before).expect("count");
    let bound = max_unknown_kid_fetches(elapsed, Duration::from_secs(30));
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
    let validator = validator(issuer.config());
    validator
        .validate(&issuer.token().sign())
        .await
        .expect("the good key still works");
    assert_eq!(
        validator.metrics().keys,
        1,
        "the five odd entries are skipped, the good key kept"
    );
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
