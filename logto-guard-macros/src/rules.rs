//! The rules `#[requires]` checks its string arguments against, and the "did you mean"
//! suggestion for misspelled argument names.

/// The longest scope name Logto stores.
pub(crate) const MAX_SCOPE_LEN: usize = 256;

/// Why a string is not a resource indicator: the twin of `logto_guard::ResourceIndicatorError`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ResourceProblem {
    /// It has a `#fragment` (the byte offset of `#`).
    Fragment(usize),
    /// A space, control or non-ASCII character.
    Characters,
    /// No `scheme ":"` prefix, or nothing after it.
    NotAbsolute,
}

impl ResourceProblem {
    /// The compile error: the words of `logto_guard::ResourceIndicatorError::message`, then how
    /// to mend the literal `resource`.
    pub(crate) fn message(&self, resource: &str) -> String {
        match self {
            Self::Fragment(at) => format!(
                "`resource` must not have a fragment (RFC 8707): remove `{}`",
                &resource[*at..]
            ),
            Self::Characters => "`resource` must be a URI without spaces, control or non-ASCII \
                                 characters (percent-encode them)"
                .to_owned(),
            Self::NotAbsolute => "`resource` must be an absolute URI such as \
                                  \"https://api.example.com\" (a scheme, `:`, then the rest): use \
                                  the API identifier shown in the Logto console"
                .to_owned(),
        }
    }
}

/// Checks a resource indicator: an absolute URI (`scheme ":" ...`) without a fragment
/// (RFC 8707 §2); a query is allowed. The twin of `logto_guard`'s `check_resource_indicator`
/// (this crate cannot depend on that one): `tests::one_rule_for_a_resource_indicator` holds a
/// literal, a `const` and `Config` to the same verdicts and words.
pub(crate) fn check_resource(resource: &str) -> Result<(), ResourceProblem> {
    let bytes = resource.as_bytes();
    let mut scheme_end = None;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' {
            return Err(ResourceProblem::Fragment(i));
        }
        if !(0x21..0x7f).contains(&b) {
            return Err(ResourceProblem::Characters);
        }
        if scheme_end.is_none() {
            if b == b':' && i > 0 {
                scheme_end = Some(i);
            } else if !(b.is_ascii_alphabetic()
                || (i > 0 && (b.is_ascii_digit() || b == b'+' || b == b'-' || b == b'.')))
            {
                return Err(ResourceProblem::NotAbsolute);
            }
        }
    }
    match scheme_end {
        Some(end) if end + 1 < bytes.len() => Ok(()),
        _ => Err(ResourceProblem::NotAbsolute),
    }
}

/// Why a string is not a scope token.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ScopeProblem {
    Empty,
    Whitespace,
    /// `"` or `\`, which RFC 6749 excludes.
    Forbidden(char),
    Control(char),
    NonAscii(char),
    /// Longer than [`MAX_SCOPE_LEN`] (the length).
    TooLong(usize),
}

/// Checks a scope: RFC 6749 `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`, at most
/// [`MAX_SCOPE_LEN`] characters.
pub(crate) fn check_scope(scope: &str) -> Result<(), ScopeProblem> {
    if scope.is_empty() {
        return Err(ScopeProblem::Empty);
    }
    for c in scope.chars() {
        match c {
            c if c.is_whitespace() => return Err(ScopeProblem::Whitespace),
            '"' | '\\' => return Err(ScopeProblem::Forbidden(c)),
            c if c.is_control() => return Err(ScopeProblem::Control(c)),
            c if !c.is_ascii() => return Err(ScopeProblem::NonAscii(c)),
            _ => {}
        }
    }
    match scope.len() {
        len if len > MAX_SCOPE_LEN => Err(ScopeProblem::TooLong(len)),
        _ => Ok(()),
    }
}

/// Checks a client group name: the twin of `logto_guard`'s `check_group_name`, with its
/// words (`tests::one_rule_for_a_client_group_name` holds both to the same verdicts).
pub(crate) fn check_group_name(name: &str) -> Result<(), &'static str> {
    let mut bytes = name.bytes();
    let starts_with_letter = bytes.next().is_some_and(|b| b.is_ascii_lowercase());
    if !starts_with_letter
        || !bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(
            "a client group name is lowercase ASCII letters, digits and `_`, starting \
                    with a letter, like `billing`",
        );
    }
    if name.len() > 64 {
        return Err("a client group name is at most 64 characters long");
    }
    Ok(())
}

/// The candidate closest to `name`, if it is close enough to be a likely misspelling.
pub(crate) fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (distance(name, candidate), *candidate))
        .filter(|(distance, candidate)| *distance > 0 && distance * 3 <= candidate.len().max(3))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Optimal-string-alignment distance: edits, where swapping two neighbours is one edit.
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every check of a resource indicator says one of these.
    const FRAGMENT: &str = "`resource` must not have a fragment (RFC 8707)";
    const CHARACTERS: &str =
        "`resource` must be a URI without spaces, control or non-ASCII characters";
    const NOT_ABSOLUTE: &str =
        "`resource` must be an absolute URI such as \"https://api.example.com\"";

    /// Inputs and the verdict all three checks give: `None` for a resource indicator, else the
    /// words of the problem.
    const RESOURCE_INDICATORS: &[(&str, Option<&str>)] = &[
        ("https://api.example.com", None),
        ("https://api.example.com/", None),
        ("urn:logto:orders", None),
        ("https://api.example.com/v1?tenant=a", None),
        ("https://api.example.com/a b", Some(CHARACTERS)),
        ("https://api example.com", Some(CHARACTERS)),
        ("https://api.example.com/\tx", Some(CHARACTERS)),
        ("https://api.example.com/\u{7f}", Some(CHARACTERS)),
        ("https://bücher.example", Some(CHARACTERS)),
        ("https://api.example.com#orders", Some(FRAGMENT)),
        ("https://api.example.com/#", Some(FRAGMENT)),
        ("https://api.example.com/ #x", Some(CHARACTERS)),
        ("/orders", Some(NOT_ABSOLUTE)),
        ("api.example.com", Some(NOT_ABSOLUTE)),
        ("1http://x", Some(NOT_ABSOLUTE)),
        (":x", Some(NOT_ABSOLUTE)),
        ("https:", Some(NOT_ABSOLUTE)),
        ("", Some(NOT_ABSOLUTE)),
    ];

    #[test]
    fn one_rule_for_a_resource_indicator() {
        for &(input, verdict) in RESOURCE_INDICATORS {
            // The macro, for a literal: the words, then how to mend it.
            let literal = check_resource(input).err().map(|p| p.message(input));
            match (verdict, &literal) {
                (None, None) => {}
                (Some(words), Some(message)) => assert!(
                    message.starts_with(&format!("{words} "))
                        || message.starts_with(&format!("{words}:")),
                    "{input:?}: {message}"
                ),
                _ => panic!("{input:?}: the macro says {literal:?}, expected {verdict:?}"),
            }

            // The const assertion, for `resource = CONST` (called here outside a const).
            let constant = std::panic::catch_unwind(|| {
                logto_guard::__private::assert_resource_indicator(input);
            })
            .err()
            .map(|payload| match payload.downcast::<String>() {
                Ok(message) => *message,
                Err(payload) => payload
                    .downcast_ref::<&str>()
                    .map(|m| (*m).to_owned())
                    .unwrap_or_default(),
            });
            assert_eq!(
                constant.as_deref(),
                verdict,
                "{input:?}: the const assertion"
            );

            // `Config`, for `resources` and `Config::resource`.
            let config = logto_guard::Config::new("https://tenant.logto.app")
                .resource(input)
                .check()
                .err()
                .map(|error| error.to_string());
            assert_eq!(
                config,
                verdict.map(|words| format!("{words}: `{input}`")),
                "{input:?}: Config::check"
            );
        }
    }

    #[test]
    fn one_rule_for_a_client_group_name() {
        let long = "a".repeat(65);
        for name in [
            "billing",
            "billing_v2",
            "Billing",
            "2fa",
            "billing-api",
            "",
            &long,
        ] {
            let config = logto_guard::Config::new("https://tenant.logto.app")
                .client_group(name, ["app-1"])
                .check()
                .err()
                .map(|error| error.to_string());
            let macro_words = check_group_name(name)
                .map_err(|p| format!("client group `{name}` in `clients`: {p}"));
            assert_eq!(config, macro_words.err(), "{name:?}");
        }
    }

    #[test]
    fn a_fragment_is_named_in_the_message() {
        assert_eq!(
            check_resource("https://api.example.com#x")
                .map_err(|p| p.message("https://api.example.com#x")),
            Err("`resource` must not have a fragment (RFC 8707): remove `#x`".to_owned())
        );
    }

    #[test]
    fn scopes() {
        assert_eq!(check_scope("read:orders"), Ok(()));
        assert_eq!(check_scope("!#[]~"), Ok(()));
        assert_eq!(check_scope(""), Err(ScopeProblem::Empty));
        assert_eq!(check_scope("a b"), Err(ScopeProblem::Whitespace));
        assert_eq!(check_scope("a\tb"), Err(ScopeProblem::Whitespace));
        assert_eq!(check_scope("a\"b"), Err(ScopeProblem::Forbidden('"')));
        assert_eq!(check_scope("a\\b"), Err(ScopeProblem::Forbidden('\\')));
        assert_eq!(check_scope("a\u{7f}"), Err(ScopeProblem::Control('\u{7f}')));
        assert_eq!(
            check_scope("lesen:bestellungen:ä"),
            Err(ScopeProblem::NonAscii('ä'))
        );
        assert_eq!(check_scope(&"a".repeat(256)), Ok(()));
        assert_eq!(
            check_scope(&"a".repeat(257)),
            Err(ScopeProblem::TooLong(257))
        );
    }

    #[test]
    fn suggestions() {
        let known = ["resource", "scope", "scopes", "any", "description"];
        assert_eq!(closest("scpoe", &known), Some("scope"));
        assert_eq!(closest("resourse", &known), Some("resource"));
        assert_eq!(closest("descripton", &known), Some("description"));
        assert_eq!(closest("scopess", &known), Some("scopes"));
        assert_eq!(closest("anny", &known), Some("any"));
        assert_eq!(closest("audience", &known), None);
        assert_eq!(closest("foo", &known), None);
    }
}
