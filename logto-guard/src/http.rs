//! What every HTTP client of this crate (the key cache, the Management API client) shares:
//! how a body is read within a size limit, and how a failed request is described.

/// Why [`read_limited`] did not return a body.
pub(crate) enum BodyError {
    /// The body is, or was announced, larger than the limit.
    TooLarge,
    /// Reading it failed.
    Read(reqwest::Error),
}

/// The body of `response`, read chunk by chunk and never beyond `max` bytes: a body announced
/// larger is refused before it is read, one that lies or says nothing is counted as it
/// arrives.
pub(crate) async fn read_limited(
    mut response: reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|len| len > max as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > max {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

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
