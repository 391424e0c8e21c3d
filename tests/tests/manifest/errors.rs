//! What a failing sync says: what to check, never the secret or the token.

use super::*;

#[tokio::test]
async fn a_wrong_secret_is_bad_credentials() {
    let fake = FakeManagement::start().await;
    let config = ManagementConfig::new(fake.endpoint(), APP_ID, "wrong-secret");
    let error = Management::connect(&config).await.expect_err("401");
    assert!(matches!(error, SyncError::BadCredentials { .. }), "{error}");
    let text = error.to_string();
    assert!(text.contains("401"), "{text}");
    assert!(
        text.contains("LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET"),
        "{text}"
    );
    assert!(
        text.contains("invalid_client: client authentication failed"),
        "{text}"
    );
    assert!(!text.contains("wrong-secret"), "{text}");
    assert_no_secret(&error);
}

#[tokio::test]
async fn a_token_the_api_rejects_is_a_401_with_what_to_check() {
    let fake = FakeManagement::start().await;
    let management = connect(&fake).await;
    fake.revoke_tokens();
    let error = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect_err("401");
    assert!(matches!(error, SyncError::TokenRejected { .. }), "{error}");
    let text = error.to_string();
    assert!(
        text.contains("401 for GET /api/resources?page=1&page_size=100"),
        "{text}"
    );
    assert!(text.contains("auth.unauthorized"), "{text}");
    assert!(text.contains("LOGTO_MANAGEMENT_RESOURCE"), "{text}");
    assert_no_secret(&error);
}

#[tokio::test]
async fn an_app_without_management_api_access_is_a_403_with_what_to_do() {
    let fake = FakeManagement::start().await;
    let config = ManagementConfig::new(fake.endpoint(), NO_ACCESS_APP_ID, NO_ACCESS_APP_SECRET);
    let management = Management::connect(&config)
        .await
        .expect("Logto issues a token");
    let error = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect_err("403");
    assert!(matches!(error, SyncError::Forbidden { .. }), "{error}");
    let text = error.to_string();
    assert!(
        text.contains("403") && text.contains("auth.forbidden"),
        "{text}"
    );
    assert!(
        text.contains("Logto Management API permission `all`"),
        "{text}"
    );
    assert_no_secret(&error);
    assert!(fake.writes().is_empty());
}

#[tokio::test]
async fn an_unreachable_endpoint_says_so() {
    let port = logto_guard_tests::free_port();
    let config = ManagementConfig::new(format!("http://127.0.0.1:{port}"), APP_ID, APP_SECRET);
    let error = Management::connect(&config)
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, SyncError::Unreachable { .. }), "{error}");
    let text = error.to_string();
    assert!(
        text.contains(&format!(
            "cannot reach Logto at http://127.0.0.1:{port}/oidc/token"
        )),
        "{text}"
    );
    assert!(text.contains("check LOGTO_ENDPOINT"), "{text}");
    assert_no_secret(&error);
}

#[tokio::test]
async fn an_unexpected_500_shows_logtos_code_and_message() {
    let fake = FakeManagement::start().await;
    let management = connect(&fake).await;
    fake.fail_with(
        500,
        json!({"code": "entity.database_error", "message": "Database is unavailable."}),
    );
    let error = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect_err("500");
    let SyncError::Unexpected {
        status,
        code,
        message,
        ..
    } = &error
    else {
        panic!("expected Unexpected, got {error}");
    };
    assert_eq!(*status, 500);
    assert_eq!(code.as_deref(), Some("entity.database_error"));
    assert_eq!(message.as_deref(), Some("Database is unavailable."));
    let text = error.to_string();
    assert!(
        text.starts_with("unexpected answer from Logto to GET /api/resources?page=1&page_size=100: 500, entity.database_error: Database is unavailable.;"),
        "{text}"
    );
    assert_no_secret(&error);
}

#[tokio::test]
async fn a_resource_created_meanwhile_is_logtos_422() {
    let fake = FakeManagement::start().await;
    let management = connect(&fake).await;
    let plan = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect("plan");
    fake.add_resource("someone else", BILLING);
    let error = management.apply(&plan).await.expect_err("422");
    let text = error.to_string();
    assert!(
        text.contains("POST /api/resources: 422, resource.resource_identifier_in_use"),
        "{text}"
    );
    assert!(text.contains("run sync again"), "{text}");
}

#[tokio::test]
async fn an_unknown_management_resource_names_the_variable() {
    let fake = FakeManagement::start().await;
    let config = fake
        .config()
        .management_resource("https://abc.logto.app/api");
    let error = Management::connect(&config)
        .await
        .expect_err("invalid_target");
    assert!(
        matches!(error, SyncError::UnknownManagementResource { .. }),
        "{error}"
    );
    assert!(
        error.to_string().contains("set LOGTO_MANAGEMENT_RESOURCE"),
        "{error}"
    );
}

#[test]
fn configuration_from_variables_and_the_management_resource() {
    let vars = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    };
    let missing = ManagementConfig::from_vars(vars(&[
        ("LOGTO_ENDPOINT", "https://abc123.logto.app"),
        ("LOGTO_M2M_APP_ID", "id"),
        ("LOGTO_M2M_APP_SECRET", " "),
    ]))
    .expect_err("an empty secret is missing");
    assert!(
        missing
            .to_string()
            .starts_with("LOGTO_M2M_APP_SECRET is not set: "),
        "{missing}"
    );

    let cloud = ManagementConfig::from_vars(vars(&[
        ("LOGTO_ENDPOINT", "https://abc123.logto.app/"),
        ("LOGTO_M2M_APP_ID", "id"),
        ("LOGTO_M2M_APP_SECRET", "very-secret"),
    ]))
    .expect("config");
    assert_eq!(management_resource(&cloud), "https://abc123.logto.app/api");
    assert!(!format!("{cloud:?}").contains("very-secret"));

    let overridden = ManagementConfig::from_vars(vars(&[
        ("LOGTO_ENDPOINT", "https://auth.example.com"),
        ("LOGTO_M2M_APP_ID", "id"),
        ("LOGTO_M2M_APP_SECRET", "secret"),
        ("LOGTO_MANAGEMENT_RESOURCE", "https://abc123.logto.app/api"),
    ]))
    .expect("config");
    assert_eq!(
        management_resource(&overridden),
        "https://abc123.logto.app/api"
    );
    let self_hosted = ManagementConfig::new("http://localhost:3001", "id", "secret");
    assert_eq!(management_resource(&self_hosted), MANAGEMENT_RESOURCE);
}

/// The Management API identifier a config requests its token for, as its `Debug` shows it.
fn management_resource(config: &ManagementConfig) -> String {
    let debug = format!("{config:?}");
    let (_, rest) = debug
        .split_once("management_resource: \"")
        .expect("Debug names the management resource");
    rest.split('"').next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn endpoints_that_would_leak_the_secret_are_refused() {
    let insecure = ManagementConfig::new("http://logto.internal:3001", APP_ID, APP_SECRET);
    let error = Management::connect(&insecure)
        .await
        .expect_err("plain http");
    assert!(matches!(error, SyncError::InsecureHttp { .. }), "{error}");
    assert!(
        error.to_string().contains("LOGTO_ALLOW_INSECURE_HTTP=true"),
        "{error}"
    );
    let credentials = ManagementConfig::new("https://user:pw@abc.logto.app", APP_ID, APP_SECRET);
    let error = Management::connect(&credentials)
        .await
        .expect_err("credentials in the URL");
    assert!(
        matches!(error, SyncError::InvalidEndpoint { .. }),
        "{error}"
    );
    assert!(!error.to_string().contains("pw"), "{error}");
}

#[tokio::test]
async fn a_secret_with_reserved_characters_is_form_urlencoded_in_basic_auth() {
    let fake = FakeManagement::start().await;
    // The fake decodes Basic credentials as RFC 6749 §2.3.1 says: sent as they are, the `%41`,
    // the space and the `+` of this secret change meaning, so it is refused.
    let raw = reqwest::Client::new()
        .post(format!("{}/oidc/token", fake.endpoint()))
        .basic_auth(
            RESERVED_CHARACTERS_APP_ID,
            Some(RESERVED_CHARACTERS_APP_SECRET),
        )
        .form(&[
            ("grant_type", "client_credentials"),
            ("resource", MANAGEMENT_RESOURCE),
            ("scope", "all"),
        ])
        .send()
        .await
        .expect("token request");
    assert_eq!(raw.status(), 401);

    let config = ManagementConfig::new(
        fake.endpoint(),
        RESERVED_CHARACTERS_APP_ID,
        RESERVED_CHARACTERS_APP_SECRET,
    );
    let management = Management::connect(&config)
        .await
        .expect("the form-urlencoded secret is accepted");
    let plan = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect("plan");
    assert_eq!(plan.to_string(), FULL_PLAN);
}

#[tokio::test]
async fn an_oversized_body_is_refused_without_reading_it_all() {
    let fake = FakeManagement::start().await;
    let management = connect(&fake).await;
    // 64 MiB, streamed without Content-Length: the client stops after MAX_RESPONSE_BYTES.
    fake.answer_oversized(64 << 20);
    let error = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect_err("too large");
    assert!(
        matches!(error, SyncError::InvalidResponse { .. }),
        "{error}"
    );
    assert_eq!(MAX_RESPONSE_BYTES, 1_048_576);
    assert_eq!(
        error.to_string(),
        "Logto's answer to GET /api/resources?page=1&page_size=100 is not what its Management \
         API sends (its body is larger than 1048576 bytes, the most sync reads); check that \
         LOGTO_ENDPOINT points at Logto itself, not a proxy or another service"
    );
}

#[tokio::test]
async fn a_list_is_capped_in_total_not_only_per_page() {
    let fake = FakeManagement::start().await;
    // Pages of one resource of about 1 MB each: every page is under MAX_RESPONSE_BYTES, the 17
    // pages together are over MAX_LISTING_BYTES.
    let name = "x".repeat(1_000_000);
    for i in 0..17 {
        fake.add_resource(&name, &format!("https://r{i}.example.com"));
    }
    let management = Management::connect(&fake.config().page_size(1))
        .await
        .expect("connect");
    let error = management
        .plan(&manifest(), Prune::NOTHING)
        .await
        .expect_err("too much in all");
    assert_eq!(MAX_LISTING_BYTES, 16 << 20);
    assert_eq!(
        error.to_string(),
        "Logto's answer to GET /api/resources?page=17&page_size=1 is not what its Management \
         API sends (its pages add up to more than 16777216 bytes, the most sync reads of one \
         list); check that LOGTO_ENDPOINT points at Logto itself, not a proxy or another service"
    );
    let requests = fake.requests();
    assert!(
        requests.contains(&"GET /api/resources?page=16&page_size=1".to_owned()),
        "{requests:?}"
    );
    assert!(
        !requests.iter().any(|r| r.contains("page=18")),
        "{requests:?}"
    );
}
