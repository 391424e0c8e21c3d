//! No code: this package holds `tests/rust_crypto.rs`, which runs logto-guard in a process where
//! `jsonwebtoken`'s `rust_crypto` backend is enabled and installed as the default provider.
