//! `cargo run -p orders-api`: see the crate docs and the README. `orders-api manifest` prints
//! the scopes it needs, `orders-api sync` registers them in Logto.

use std::sync::Arc;
use std::time::Duration;

use logto_guard::LogtoGuard;
use logto_guard::testing::TestIssuer;
use orders_api::{RESOURCE, app};
use rocket::fairing::AdHoc;

#[rocket::main]
async fn main() -> Result<(), Box<rocket::Error>> {
    // `manifest [--check FILE]` and `sync [--dry-run] [--prune]`: the scopes this API needs.
    let subcommand =
        logto_guard::manifest::cli::run_from_args(std::env::args(), &app(LogtoGuard::fairing()));
    if let Some(code) = subcommand.await {
        std::process::exit(code);
    }
    let figment = rocket::Config::figment();
    let configured = std::env::var_os("LOGTO_ENDPOINT").is_some()
        || figment.find_value("logto.endpoint").is_ok()
        || figment.find_value("logto.issuer").is_ok();
    if configured {
        app(LogtoGuard::fairing()).launch().await?;
        return Ok(());
    }
    // Development mode: an embedded issuer stands in for Logto, so the API runs with nothing
    // else on the machine. Its tokens are printed on purpose; never use this mode in production.
    let issuer = Arc::new(TestIssuer::start().await);
    let config = issuer.config();
    app(LogtoGuard::with_config(config))
        .attach(AdHoc::on_liftoff("development banner", move |rocket| {
            Box::pin(async move {
                let base = format!(
                    "http://{}:{}",
                    rocket.config().address,
                    rocket.config().port
                );
                print_development_banner(&issuer, &base);
            })
        }))
        .launch()
        .await?;
    Ok(())
}

fn print_development_banner(issuer: &TestIssuer, base: &str) {
    let day = Duration::from_secs(24 * 3600);
    let token = |scopes: &[&str]| {
        issuer
            .token()
            .scopes(scopes.iter().copied())
            .expires_in(day)
            .sign()
    };
    println!(
        "\n== orders-api in DEVELOPMENT mode ==\n\
         LOGTO_ENDPOINT is not set, so an embedded development issuer at {issuer_url} signs \
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
            "write:orders",
            format!(
                "curl -i -X POST {base}/orders -H 'Authorization: Bearer {}' \
                 -H 'Content-Type: application/json' -d '{{\"item\":\"coffee\",\"quantity\":2}}'",
                token(&["write:orders"])
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
