//! Compile-time behaviour of `#[requires]`: what compiles, and the errors for what does not.
//!
//! Regenerate the expected `.stderr` files with `TRYBUILD=overwrite`, then read them.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
