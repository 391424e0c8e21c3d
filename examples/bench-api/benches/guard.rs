//! What the Rocket guard adds to a request, without the network: the same request (same
//! `Authorization` header) dispatched through Rocket's local client to bench-api's unprotected
//! route and to its identical route that requires a scope, with the token cache warm.
//!
//! `cargo bench -p bench-api --bench guard`

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use logto_guard::LogtoGuard;
use logto_guard::testing::TestIssuer;
use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;

fn bench_guard(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (issuer, client) = runtime.block_on(async {
        let issuer = TestIssuer::start().await;
        let rocket = bench_api::mount(
            rocket::custom(rocket::Config::figment().merge(("log_level", "off")))
                .attach(LogtoGuard::with_config(issuer.config())),
        );
        (issuer, Client::untracked(rocket).await.expect("rocket"))
    });
    let authorization = format!("Bearer {}", issuer.token().scopes(["read:orders"]).sign());
    let get = |path: &'static str| {
        runtime.block_on(async {
            client
                .get(path)
                .header(Header::new("Authorization", authorization.clone()))
                .dispatch()
                .await
                .status()
        })
    };
    assert_eq!(get("/protected"), Status::Ok);
    let mut group = c.benchmark_group("rocket_local");
    group.bench_function("unprotected", |b| b.iter(|| black_box(get("/open"))));
    group.bench_function("protected_repeated", |b| {
        b.iter(|| black_box(get("/protected")))
    });
    group.finish();
}

criterion_group!(benches, bench_guard);
criterion_main!(benches);
