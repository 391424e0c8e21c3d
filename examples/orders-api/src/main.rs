//! `cargo run -p orders-api`: see the crate docs and the README. `orders-api manifest` prints
//! the scopes it needs, `orders-api sync` registers them in Logto.

use std::net::IpAddr;

use logto_guard::LogtoGuard;
use orders_api::app;
use orders_api::launch::{DEV_FLAG, Launch, Mode};

/// The usage of the server itself (`manifest` and `sync` have their own).
const USAGE: &str = "usage:\n  \
    orders-api                   serve, trusting the Logto named by LOGTO_ENDPOINT (or the \
    `logto` table of Rocket.toml);\n                               without one, a debug build \
    bound to a loopback address runs development mode\n  \
    orders-api --dev             serve in development mode on purpose: an embedded issuer \
    signs printed tokens\n  \
    orders-api manifest --help   the scope manifest\n  \
    orders-api sync --help       register the scopes in Logto\n";

#[rocket::main]
async fn main() -> Result<(), Box<rocket::Error>> {
    // `manifest [--check FILE]` and `sync [--dry-run] [--prune] [--prune-organization-permissions]`.
    let subcommand =
        logto_guard::manifest::cli::run_from_args(std::env::args(), &app(LogtoGuard::fairing()));
    if let Some(code) = subcommand.await {
        std::process::exit(code);
    }
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let dev_flag = match arguments.as_slice() {
        [] => false,
        [flag] if flag == DEV_FLAG => true,
        _ => {
            eprintln!(
                "error: unknown arguments `{}`\n\n{USAGE}",
                arguments.join(" ")
            );
            std::process::exit(2);
        }
    };
    let figment = rocket::Config::figment();
    let address = match figment.extract_inner::<IpAddr>("address") {
        Ok(address) => address,
        Err(error) => {
            eprintln!("error: Rocket's `address` (ROCKET_ADDRESS or Rocket.toml): {error}");
            std::process::exit(1);
        }
    };
    let launch = Launch {
        logto_configured: std::env::var_os("LOGTO_ENDPOINT").is_some()
            || figment.find_value("logto.endpoint").is_ok()
            || figment.find_value("logto.issuer").is_ok(),
        dev_flag,
        address,
        debug_build: cfg!(debug_assertions),
        dev_compiled: cfg!(feature = "dev"),
    };
    match launch.mode() {
        Ok(Mode::Logto) => app(LogtoGuard::fairing()).launch().await.map(drop)?,
        #[cfg(feature = "dev")]
        Ok(Mode::Development(reason)) => orders_api::development::launch(reason).await?,
        #[cfg(not(feature = "dev"))]
        Ok(Mode::Development(_)) => {
            unreachable!("Launch::mode refuses development mode without the `dev` feature")
        }
        Err(refusal) => {
            eprintln!("error: {refusal}");
            std::process::exit(1);
        }
    }
    Ok(())
}
