//! The header and the claims: issuer, audience, lifetime, `typ`, `crit`, the payload's JSON, and what errors say.

use super::*;

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

#[tokio::test]
async fn act_is_an_object_with_a_string_sub_or_the_token_is_malformed() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let malformed = AuthError::MalformedToken("`act` must be an object with a string `sub`");
    for act in [
        json!("user-a"),
        json!({}),
        json!({"sub": 7}),
        json!(null),
        json!({"sub": "user-a", "act": "user-b"}),
    ] {
        let token = issuer.token().claim("act", act.clone()).sign();
        assert_eq!(
            validator.validate(&token).await.unwrap_err(),
            malformed,
            "{act}"
        );
    }
    let twice = issuer
        .token()
        .claim("act", json!({"sub": "user-a", "act": {"sub": "user-b"}}))
        .sign();
    let twice = validator.validate(&twice).await.expect("valid");
    let actor = twice.actor().expect("an actor");
    assert_eq!(actor.subject(), "user-a");
    assert_eq!(actor.prior().map(|prior| prior.subject()), Some("user-b"));
    assert!(
        !format!("{twice:?} {actor:?}").contains("user-a"),
        "Debug never shows the actor"
    );
}
