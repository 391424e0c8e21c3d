#![no_main]
//! Tokens, validated against a real in-process test issuer whose keys are cached.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use logto_guard::Validator;
use logto_guard::testing::TestIssuer;

struct World {
    runtime: tokio::runtime::Runtime,
    validator: Validator,
    _issuer: TestIssuer,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let (issuer, validator) = runtime.block_on(async {
            let issuer = TestIssuer::start().await;
            let validator = Validator::new(issuer.config()).expect("config");
            validator.warm_up().await.expect("keys");
            (issuer, validator)
        });
        World { runtime, validator, _issuer: issuer }
    })
}

fuzz_target!(|data: &[u8]| {
    let world = world();
    let token = String::from_utf8_lossy(data);
    let _ = world.runtime.block_on(world.validator.validate(&token));
});
