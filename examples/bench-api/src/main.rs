//! The load-test target of `bench/http.sh` and `bench/compare.sh`.
//!
//! - `bench-api issuer PORT COUNT FILE`: a test issuer on 127.0.0.1:PORT; writes one token per
//!   line to FILE (the first is the "repeated" token, then COUNT distinct ones), prints `ready`,
//!   and serves its JWKS until stopped.
//! - `bench-api` (no arguments): the app, trusting `LOGTO_ENDPOINT`, with `GET /open` and an
//!   otherwise identical `GET /protected` that requires `read:orders`.

use std::io::Write as _;
use std::time::Duration;

use logto_guard::testing::TestIssuer;
use logto_guard::{Audience, Authorized, LogtoGuard, Requirement};
use rocket::{get, routes};

struct ReadOrders;
impl Requirement for ReadOrders {
    const AUDIENCE: Audience<'static> = Audience::Resource("https://api.example.com");
    const SCOPES: &'static [&'static str] = &["read:orders"];
}

#[get("/open")]
fn open() -> &'static str {
    "ok"
}

#[get("/protected")]
fn protected(_auth: Authorized<ReadOrders>) -> &'static str {
    "ok"
}

#[rocket::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [mode, port, count, file] if mode == "issuer" => {
            issue(port.parse()?, count.parse()?, file).await
        }
        [] => {
            rocket::build()
                .attach(LogtoGuard::fairing())
                .mount("/", routes![open, protected])
                .launch()
                .await?;
            Ok(())
        }
        _ => Err("usage: bench-api [issuer PORT COUNT FILE]".into()),
    }
}

async fn issue(port: u16, count: usize, file: &str) -> Result<(), Box<dyn std::error::Error>> {
    let issuer = TestIssuer::builder().port(port).start().await;
    let day = Duration::from_secs(24 * 3600);
    let mut out = std::io::BufWriter::new(std::fs::File::create(file)?);
    for i in 0..=count {
        let token = issuer
            .token()
            .subject(format!("user-{i}"))
            .scopes(["read:orders"])
            .expires_in(day)
            .sign();
        writeln!(out, "{token}")?;
    }
    out.flush()?;
    println!("ready");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
