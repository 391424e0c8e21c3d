//! The small helpers every test file would otherwise write for itself.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rocket::http::Header;

/// The metrics of the validator that the fairing of `client`'s Rocket built.
///
/// # Panics
///
/// When the Rocket has no `LogtoGuard` fairing.
#[must_use]
pub fn metrics(
    client: &rocket::local::asynchronous::Client,
) -> logto_guard::metrics::MetricsSnapshot {
    logto_guard::LogtoGuard::validator(client.rocket())
        .expect("the fairing ran")
        .metrics()
}

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

/// The `logto-signature-sha-256` Logto sends with a webhook: the hex HMAC-SHA256 of the exact
/// body under the hook's signing key (`packages/core/src/utils/sign.ts`).
#[must_use]
pub fn logto_signature(signing_key: &str, body: &[u8]) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, signing_key.as_bytes());
    aws_lc_rs::hmac::sign(&key, body)
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The `logto-signature-sha-256` header of `body` signed with `signing_key`, as Logto sends it.
#[must_use]
pub fn logto_signature_header(signing_key: &str, body: &[u8]) -> Header<'static> {
    Header::new(
        "logto-signature-sha-256",
        logto_signature(signing_key, body),
    )
}

/// `now` as Logto writes a webhook's `createdAt` (JavaScript's `toISOString`), shifted by
/// `offset_seconds`.
#[must_use]
pub fn iso_time(offset_seconds: i64) -> String {
    let at = now() + offset_seconds;
    let (days, seconds) = (at.div_euclid(86_400), at.rem_euclid(86_400));
    // Howard Hinnant's `civil_from_days`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}
