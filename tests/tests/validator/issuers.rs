//! Several trusted issuers (a tenant's custom domains, extra issuers): each token checked with
//! its own issuer's keys, an untrusted issuer refused before anything is fetched, per-issuer
//! refetch holds, readiness.

use super::*;

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
    let elapsed = refused_as_unknown_keys(&validator, tokens).await;
    let bound = max_unknown_kid_fetches(elapsed, Duration::from_secs(30));
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
