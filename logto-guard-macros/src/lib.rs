//! Procedural macros of `logto-guard`; use them through `logto_guard::requires`.
