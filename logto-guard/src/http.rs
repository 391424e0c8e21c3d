//! What every HTTP client of this crate (the key cache, the Management API client) shares:
//! how a failed request is described.

/// A reqwest error and its causes (`error sending request: client error (Connect): tcp
/// connect error: Connection refused`), without the URL: the caller names what was requested,
/// in a form safe to log.
pub(crate) fn describe_error(error: &reqwest::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(error) = source {
        let text = error.to_string();
        if !parts.iter().any(|part| part.contains(&text)) {
            parts.push(text);
        }
        source = error.source();
    }
    if error.is_timeout() {
        parts.push("timed out".to_owned());
    }
    parts.join(": ")
}
