//! The one rule for a resource indicator (RFC 8707 §2): an absolute URI, `scheme ":"` and
//! something after it, without a fragment; a query is allowed (RFC 8707 discourages it, it does
//! not forbid it). Spaces, control and non-ASCII characters must be percent-encoded.
//!
//! [`Config::check`](crate::Config::check) and the compile-time check of
//! `#[requires(resource = CONST)]` use this rule. `#[requires(resource = "...")]` checks a literal
//! with a twin in `logto-guard-macros/src/rules.rs` (a proc-macro crate cannot depend on this
//! one, and a file shared by path would not survive `cargo package`); a test there runs one
//! table of inputs through all three and holds them to the same verdicts and words.

/// Why a string is not a resource indicator (RFC 8707 §2): an absolute URI, `scheme ":"` and
/// something after it, without a fragment, with spaces, control and non-ASCII characters
/// percent-encoded; a query is allowed. [`Config::check`](crate::Config::check) and
/// `#[requires(resource = ...)]` give the same verdicts, in the words of
/// [`message`](Self::message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResourceIndicatorError {
    /// It has a `#fragment`.
    Fragment,
    /// It has a space, control or non-ASCII character.
    Characters,
    /// It has no `scheme ":"` prefix, or nothing after it.
    NotAbsolute,
}

impl ResourceIndicatorError {
    /// What is wrong, in the words every check of a resource indicator uses.
    #[must_use]
    pub const fn message(self) -> &'static str {
        match self {
            Self::Fragment => "`resource` must not have a fragment (RFC 8707)",
            Self::Characters => {
                "`resource` must be a URI without spaces, control or non-ASCII characters"
            }
            Self::NotAbsolute => {
                "`resource` must be an absolute URI such as \"https://api.example.com\""
            }
        }
    }
}

impl std::fmt::Display for ResourceIndicatorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ResourceIndicatorError {}

/// Checks `resource` against the rule of the [module docs](self); the first problem wins,
/// scanning from the left.
pub(crate) const fn check_resource_indicator(resource: &str) -> Result<(), ResourceIndicatorError> {
    let bytes = resource.as_bytes();
    let mut scheme_end = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'#' {
            return Err(ResourceIndicatorError::Fragment);
        }
        if b <= b' ' || b >= 0x7f {
            return Err(ResourceIndicatorError::Characters);
        }
        if scheme_end.is_none() {
            // RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
            if b == b':' && i > 0 {
                scheme_end = Some(i);
            } else if !(b.is_ascii_alphabetic()
                || (i > 0 && (b.is_ascii_digit() || b == b'+' || b == b'-' || b == b'.')))
            {
                return Err(ResourceIndicatorError::NotAbsolute);
            }
        }
        i += 1;
    }
    match scheme_end {
        Some(end) if end + 1 < bytes.len() => Ok(()),
        _ => Err(ResourceIndicatorError::NotAbsolute),
    }
}

/// Checks a resource indicator at compile time, for `#[requires(resource = SOME_CONST)]`.
///
/// # Panics
///
/// With the [`ResourceIndicatorError::message`] of the problem; during constant evaluation,
/// that is a compile error.
pub const fn assert_resource_indicator(resource: &str) {
    if let Err(problem) = check_resource_indicator(resource) {
        panic!("{}", problem.message());
    }
}
