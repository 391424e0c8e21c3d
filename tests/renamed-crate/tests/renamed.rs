//! The renamed dependency works end to end: routes audited as guarded and public, tokens
//! checked.

use guard::RouteAudit;
use guard::testing::TestIssuer;
use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;

#[rocket::async_test]
async fn macros_work_with_the_dependency_renamed() {
    let issuer = TestIssuer::start().await;
    let config = issuer.config().route_audit(RouteAudit::Deny);
    let client = Client::tracked(renamed_crate::app(config))
        .await
        .expect("every route is guarded or public");
    let token = issuer
        .token()
        .subject("user-1")
        .scopes(["read:orders"])
        .sign();
    let bearer = || Header::new("Authorization", format!("Bearer {token}"));
    assert_eq!(
        client
            .get("/orders")
            .header(bearer())
            .dispatch()
            .await
            .status(),
        Status::Ok
    );
    assert_eq!(
        client.get("/orders").dispatch().await.status(),
        Status::Unauthorized
    );
    let me = client.get("/me").header(bearer()).dispatch().await;
    assert_eq!(me.into_string().await.as_deref(), Some("user-1"));
    assert_eq!(client.get("/health").dispatch().await.status(), Status::Ok);
}
