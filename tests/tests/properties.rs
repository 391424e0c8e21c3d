//! Property tests: arbitrary input never panics the `Authorization` parser or the validator.

use logto_guard::testing::TestIssuer;
use logto_guard::{Validator, bearer_token};
use proptest::prelude::*;

proptest! {
    #[test]
    fn arbitrary_header_values_never_panic_the_bearer_parser(
        values in proptest::collection::vec(".{0,64}", 0..3)
    ) {
        let result = bearer_token(values.iter().map(String::as_str));
        if let Ok(token) = result {
            prop_assert!(!token.is_empty() && !token.contains(' '));
        }
    }
}

/// Mutations of a valid token: what a fuzzer would try first.
fn mutated(token: &str) -> impl Strategy<Value = String> + use<> {
    let token = token.to_owned();
    let len = token.len();
    prop_oneof![
        (0..len).prop_map({
            let t = token.clone();
            move |i| t[..i].to_owned()
        }),
        (0..len, any::<char>()).prop_map({
            let t = token.clone();
            move |(i, c)| {
                let mut s: Vec<char> = t.chars().collect();
                s[i] = c;
                s.into_iter().collect()
            }
        }),
        (0..len, ".{0,8}").prop_map({
            let t = token.clone();
            move |(i, s)| format!("{}{s}{}", &t[..i], &t[i..])
        }),
        proptest::collection::vec(any::<u8>(), 0..256)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        "[A-Za-z0-9_-]{0,40}\\.[A-Za-z0-9_-]{0,80}\\.[A-Za-z0-9_-]{0,40}".prop_map(|s| s),
    ]
}

#[test]
fn arbitrary_tokens_never_panic_the_validator() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (issuer, validator, valid) = runtime.block_on(async {
        let issuer = TestIssuer::start().await;
        let validator = Validator::new(issuer.config()).expect("config");
        let valid = issuer.token().scopes(["read:orders"]).sign();
        validator
            .validate(&valid)
            .await
            .expect("the seed token is valid");
        (issuer, validator, valid)
    });
    proptest!(ProptestConfig::with_cases(512), |(candidate in mutated(&valid))| {
        let result = runtime.block_on(validator.validate(&candidate));
        if candidate != valid {
            // Only a token carrying the seed's exact signed bytes can pass.
            if let Ok(token) = result {
                prop_assert!(candidate.contains(valid.split('.').nth(1).unwrap_or_default()), "{token:?}");
            }
        }
    });
    drop(issuer);
}
