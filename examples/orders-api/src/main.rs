//! `cargo run -p orders-api`: see the crate docs and README.md. `orders-api manifest` prints
//! the scopes it needs, `orders-api sync` registers them in Logto.

use std::net::IpAddr;

use logto_guard::LogtoGuard;
use logto_guard::manifest::cli::Commands;
use orders_api::app;
use orders_api::launch::{DEV_FLAG, Launch, Mode};

/// What `--dev` does, for the help.
const DEV_HELP: &str = "serve in development mode on purpose: an embedded issuer signs printed \
                        tokens (without a Logto configured, a debug build bound to a loopback \
                        address does so by itself)";

#[rocket::main]
async fn main() -> Result<(), Box<rocket::Error>> {
    // `help`, `manifest [--check FILE]`, `sync [--dry-run] [--prune]
    // [--prune-organization-permissions] [--webhook URL]`; anything but `--dev` or nothing
    // exits 2.
    let commands = Commands::new().option(DEV_FLAG, DEV_HELP);
    let subcommand = commands.run_from_args(std::env::args(), &app(LogtoGuard::fairing()));
    if let Some(code) = subcommand.await {
        std::process::exit(code);
    }
    let dev_flag = std::env::args()
        .skip(1)
        .any(|argument| argument == DEV_FLAG);
    let figment = rocket::Config::figment();
    let address = match figment.extract_inner::<IpAddr>("address") {
        Ok(address) => address,
        Err(error) => {
            eprintln!("error: Rocket's `address` (ROCKET_ADDRESS or Rocket.toml): {error}");
            std::process::exit(1);
        }
    };
    let launch = Launch {
        // Custom domains or extra issuers alone count too: without their endpoint or issuer
        // they must stop the launch with what to set, not fall back to development mode.
        logto_configured: std::env::var_os("LOGTO_ENDPOINT").is_some()
            || std::env::var_os("LOGTO_CUSTOM_DOMAINS").is_some()
            || ["endpoint", "issuer", "custom_domains", "extra_issuers"]
                .iter()
                .any(|key| figment.find_value(&format!("logto.{key}")).is_ok()),
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
