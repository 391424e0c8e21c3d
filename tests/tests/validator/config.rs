//! Configuration checks: duration bounds and URLs with credentials.

use super::*;

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
