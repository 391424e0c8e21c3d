//! Policies: scopes, organizations, and what an audience mismatch says.

use super::*;

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
async fn actor_rules_refuse_or_require_tokens_issued_on_behalf_of_another_user() {
    let issuer = TestIssuer::start().await;
    let validator = validator(issuer.config());
    let impersonated = validator
        .validate(&issuer.token().subject("user-b").actor("user-a").sign())
        .await
        .expect("valid");
    let own = validator
        .validate(&issuer.token().subject("user-b").sign())
        .await
        .expect("valid");
    let any = Policy::all(RESOURCE, &[]);
    let forbidden = any.actor(ActorRule::Forbidden);
    let required = any.actor(ActorRule::Required);
    assert_eq!(any.check(&impersonated), Ok(()));
    assert_eq!(any.check(&own), Ok(()));
    assert_eq!(
        forbidden.check(&impersonated),
        Err(AuthError::ActorNotAllowed)
    );
    assert_eq!(forbidden.check(&own), Ok(()));
    assert_eq!(required.check(&impersonated), Ok(()));
    assert_eq!(required.check(&own), Err(AuthError::ActorRequired));
    let error = AuthError::ActorNotAllowed;
    assert_eq!(
        (error.status(), error.code()),
        (403, Some("insufficient_scope"))
    );
    assert_eq!(
        error.to_string(),
        "this route does not accept tokens issued on behalf of another user"
    );
}
