//! The small helpers every test file would otherwise write for itself.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rocket::http::Header;

/// `Authorization: Bearer <token>`.
#[must_use]
pub fn bearer(token: &str) -> Header<'static> {
    Header::new("Authorization", format!("Bearer {token}"))
}

/// Seconds since the Unix epoch, as JWT claims count time.
///
/// # Panics
///
/// When the clock is before 1970.
#[must_use]
pub fn now() -> i64 {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    i64::try_from(seconds).expect("seconds fit i64")
}

/// `bytes` in base64url without padding, as JWS segments are encoded.
#[must_use]
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A JSON value as a JWS segment.
#[must_use]
pub fn b64_json(value: &serde_json::Value) -> String {
    b64(value.to_string().as_bytes())
}

/// A process's output as text.
#[must_use]
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
