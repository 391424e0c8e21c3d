//! Development mode: an issuer embedded in the process stands in for Logto, so the API runs
//! with nothing else on the machine, and prints ready-to-paste `curl` commands with its tokens.
//! Only [`Launch::mode`](crate::launch::Launch::mode) decides that it runs; the feature `dev`
//! (on by default) compiles it in, and a production build leaves it out with
//! `--no-default-features`.

use std::sync::Arc;
use std::time::Duration;

use logto_guard::LogtoGuard;
use logto_guard::testing::TestIssuer;
use rocket::fairing::AdHoc;

use crate::launch::DevelopmentReason;
use crate::{RESOURCE, app};

/// Starts the embedded issuer, then the API trusting it; prints the banner with working `curl`
/// commands once Rocket listens.
///
/// # Errors
///
/// When Rocket fails to launch.
pub async fn launch(reason: DevelopmentReason) -> Result<(), Box<rocket::Error>> {
    // The issuer serves the keys for as long as the API runs: it is held here until the launch
    // ends, not by the banner, whose liftoff callback ends (and runs beside the key warm-up)
    // right after Rocket starts.
    let issuer = Arc::new(TestIssuer::start().await);
    let banner_issuer = Arc::clone(&issuer);
    app(LogtoGuard::with_config(crate::with_placeholder_billing(
        issuer.config(),
    )))
    .attach(AdHoc::on_liftoff("development banner", move |rocket| {
        Box::pin(async move {
            let base = format!(
                "http://{}:{}",
                rocket.config().address,
                rocket.config().port
            );
            print_banner(&banner_issuer, reason, &base);
        })
    }))
    .launch()
    .await?;
    drop(issuer);
    Ok(())
}

fn print_banner(issuer: &TestIssuer, reason: DevelopmentReason, base: &str) {
    let day = Duration::from_secs(24 * 3600);
    let token = |scopes: &[&str]| {
        issuer
            .token()
            .scopes(scopes.iter().copied())
            .expires_in(day)
            .sign()
    };
    println!(
        "\n== orders-api in DEVELOPMENT mode ({reason}) ==\n\
         No Logto is configured, so an embedded development issuer at {issuer_url} signs \
         tokens for {RESOURCE}.\nSet LOGTO_ENDPOINT=https://<tenant>.logto.app to trust your \
         Logto instead. Tokens below are valid for 24 hours.\n",
        issuer_url = issuer.issuer()
    );
    let examples = [
        ("public", format!("curl -i {base}/health")),
        (
            "read:orders",
            format!(
                "curl -i {base}/orders -H 'Authorization: Bearer {}'",
                token(&["read:orders"])
            ),
        ),
        (
            "read:orders and the `plan` claim `gold` (custom check)",
            format!(
                "curl -i {base}/orders/report -H 'Authorization: Bearer {}'",
                issuer
                    .token()
                    .scopes(["read:orders"])
                    .claim("plan", "gold")
                    .expires_in(day)
                    .sign()
            ),
        ),
        (
            "write:orders",
            format!(
                "curl -i -X POST {base}/orders -H 'Authorization: Bearer {}' \
                 -H 'Content-Type: application/json' -d '{{\"item\":\"coffee\",\"quantity\":2}}'",
                token(&["write:orders"])
            ),
        ),
        (
            "write:orders, as an app of the client group `billing`",
            format!(
                "curl -i -X POST {base}/orders/1/paid -H 'Authorization: Bearer {}'",
                issuer
                    .token()
                    .client_id(crate::BILLING_PLACEHOLDER)
                    .scopes(["write:orders"])
                    .expires_in(day)
                    .sign()
            ),
        ),
        (
            "write:orders delete:orders",
            format!(
                "curl -i -X DELETE {base}/orders/1 -H 'Authorization: Bearer {}'",
                token(&["write:orders", "delete:orders"])
            ),
        ),
        (
            "any valid token",
            format!(
                "curl -i {base}/me -H 'Authorization: Bearer {}'",
                token(&[])
            ),
        ),
        ("no token: 401", format!("curl -i {base}/orders")),
    ];
    for (what, command) in examples {
        println!("# {what}\n{command}\n");
    }
}
