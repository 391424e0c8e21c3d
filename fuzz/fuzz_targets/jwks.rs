#![no_main]
//! JWK Set bodies, as fetched from the issuer.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = logto_guard::__private::parse_jwk_set(data);
});
