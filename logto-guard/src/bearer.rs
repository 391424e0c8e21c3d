//! Reading the bearer token from `Authorization` headers (RFC 6750 §2.1), framework-free.

use crate::error::AuthError;

/// The bearer token of a request, given every value of its `Authorization` header.
///
/// The scheme is case-insensitive (RFC 9110 §11.1); one or more spaces may follow it. Another
/// scheme counts as no credentials (401 without an error code, RFC 6750 §3.1); two headers, an
/// empty token, two tokens or characters outside RFC 6750's `b64token` are malformed (400).
///
/// ```
/// use logto_guard::{AuthError, bearer_token};
///
/// assert_eq!(bearer_token(["Bearer abc.def.ghi"]), Ok("abc.def.ghi"));
/// assert_eq!(bearer_token(["bearer  abc"]), Ok("abc"));
/// assert_eq!(bearer_token(["Basic dXNlcjpwYXNz"]), Err(AuthError::MissingCredentials));
/// assert_eq!(bearer_token(Vec::<&str>::new()), Err(AuthError::MissingCredentials));
/// assert_eq!(bearer_token(["Bearer a", "Bearer b"]).unwrap_err().status(), 400);
/// assert_eq!(bearer_token(["Bearer a b"]).unwrap_err().status(), 400);
/// ```
pub fn bearer_token<'a>(
    authorization: impl IntoIterator<Item = &'a str>,
) -> Result<&'a str, AuthError> {
    let token = bearer_credentials(authorization)?;
    check_b64token(token)?;
    Ok(token)
}

/// [`bearer_token`] but for the check of the token's characters, which the caller makes with
/// [`check_b64token`] when it needs to: the Rocket guard skips it for a token the token cache
/// holds.
pub(crate) fn bearer_credentials<'a>(
    authorization: impl IntoIterator<Item = &'a str>,
) -> Result<&'a str, AuthError> {
    let mut values = authorization.into_iter();
    let value = match (values.next(), values.next()) {
        (None, _) => return Err(AuthError::MissingCredentials),
        (Some(_), Some(_)) => {
            return Err(AuthError::MalformedCredentials(
                "more than one Authorization header",
            ));
        }
        (Some(value), None) => value.trim_matches([' ', '\t']),
    };
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::MissingCredentials);
    }
    Ok(rest.trim_start_matches(' '))
}

/// Whether `token`, as [`bearer_credentials`] reads it, is one RFC 6750 `b64token`: else the 400
/// of [`bearer_token`].
pub(crate) fn check_b64token(token: &str) -> Result<(), AuthError> {
    if is_b64token(token) {
        return Ok(());
    }
    Err(AuthError::MalformedCredentials(if token.is_empty() {
        "empty bearer token"
    } else if token.contains([' ', '\t']) {
        "more than one bearer token"
    } else {
        "bearer token has characters RFC 6750 does not allow"
    }))
}

/// `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="` (RFC 6750 §2.1).
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    // Branch-free over the bytes, so that the compiler checks many at once.
    !body.is_empty()
        && body
            .bytes()
            .fold(true, |valid, b| valid & is_b64token_byte(b))
}

const fn is_b64token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() | matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}
