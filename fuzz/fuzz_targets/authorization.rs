#![no_main]
//! `Authorization` header values, split on NUL into several headers.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let values: Vec<&str> = if text.is_empty() { Vec::new() } else { text.split('\0').collect() };
    if let Ok(token) = logto_guard::bearer_token(values.iter().copied()) {
        assert!(!token.is_empty() && !token.contains(' '));
    }
});
