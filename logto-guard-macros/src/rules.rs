//! The rules `#[requires]` checks its string arguments against, and the "did you mean"
//! suggestion for misspelled argument names.

/// The longest scope name Logto stores.
pub(crate) const MAX_SCOPE_LEN: usize = 256;

/// Why a string is not a resource indicator.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ResourceProblem {
    /// It has a `#fragment` (the byte offset of `#`).
    Fragment(usize),
    /// A space, control or non-ASCII character.
    Characters,
    /// No `scheme ":"` prefix, or nothing after it.
    NotAbsolute,
}

/// Checks a resource indicator: an absolute URI (`scheme ":" ...`) without a fragment
/// (RFC 8707 §2). Mirrors `logto_guard::__private::assert_resource_indicator` exactly, so a
/// literal and a `const` are held to the same rules; a query is allowed.
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

    #[test]
    fn resources() {
        assert_eq!(check_resource("https://api.example.com"), Ok(()));
        assert_eq!(check_resource("urn:example:api"), Ok(()));
        assert_eq!(
            check_resource("https://api.example.com/v1?tenant=a"),
            Ok(())
        );
        assert_eq!(
            check_resource("https://api.example.com#x"),
            Err(ResourceProblem::Fragment(23))
        );
        assert_eq!(
            check_resource("https://api example.com"),
            Err(ResourceProblem::Characters)
        );
        assert_eq!(
            check_resource("https://é.com"),
            Err(ResourceProblem::Characters)
        );
        for bad in [
            "",
            "api.example.com",
            "https:",
            ":x",
            "1http://x",
            "/orders",
        ] {
            assert_eq!(
                check_resource(bad),
                Err(ResourceProblem::NotAbsolute),
                "{bad}"
            );
        }
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
