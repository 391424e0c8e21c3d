//! A small line diff, enough to show how two manifests differ.

/// Lines of context around each change.
const CONTEXT: usize = 2;

/// Beyond this many cells the middle is shown as removed-then-added instead of aligned.
const MAX_CELLS: usize = 4_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line<'a> {
    Same(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

/// `old` against `new`, line by line: `- ` removed, `+ ` added, `  ` context, `...` skipped.
/// Empty when they are equal.
pub(super) fn line_diff(old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let lines = align(&old, &new);
    if lines.iter().all(|l| matches!(l, Line::Same(_))) {
        return String::new();
    }
    let changed: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !matches!(l, Line::Same(_)))
        .map(|(i, _)| i)
        .collect();
    let shown = |i: usize| {
        changed
            .iter()
            .any(|&c| c.saturating_sub(CONTEXT) <= i && i <= c + CONTEXT)
    };
    let mut out = String::new();
    let mut skipped = false;
    for (i, line) in lines.iter().enumerate() {
        if !shown(i) {
            skipped = true;
            continue;
        }
        if skipped {
            out.push_str("  ...\n");
            skipped = false;
        }
        let (mark, text) = match line {
            Line::Same(t) => (' ', t),
            Line::Removed(t) => ('-', t),
            Line::Added(t) => ('+', t),
        };
        out.push(mark);
        out.push(' ');
        out.push_str(text);
        out.push('\n');
    }
    if skipped {
        out.push_str("  ...\n");
    }
    out
}

/// A longest-common-subsequence alignment of the lines between the common prefix and suffix.
fn align<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<Line<'a>> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (a, b) = (
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
    );
    let mut lines: Vec<Line<'a>> = old[..prefix].iter().map(|l| Line::Same(l)).collect();
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        lines.extend(a.iter().map(|l| Line::Removed(l)));
        lines.extend(b.iter().map(|l| Line::Added(l)));
    } else {
        // lcs[i][j]: the LCS length of a[i..] and b[j..].
        let width = b.len() + 1;
        let mut lcs = vec![0usize; (a.len() + 1) * width];
        for i in (0..a.len()).rev() {
            for j in (0..b.len()).rev() {
                lcs[i * width + j] = if a[i] == b[j] {
                    lcs[(i + 1) * width + j + 1] + 1
                } else {
                    lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i] == b[j] {
                lines.push(Line::Same(a[i]));
                i += 1;
                j += 1;
            } else if lcs[(i + 1) * width + j] >= lcs[i * width + j + 1] {
                lines.push(Line::Removed(a[i]));
                i += 1;
            } else {
                lines.push(Line::Added(b[j]));
                j += 1;
            }
        }
        lines.extend(a[i..].iter().map(|l| Line::Removed(l)));
        lines.extend(b[j..].iter().map(|l| Line::Added(l)));
    }
    lines.extend(old[old.len() - suffix..].iter().map(|l| Line::Same(l)));
    lines
}

#[cfg(test)]
mod tests {
    use super::line_diff;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(line_diff("a\nb\n", "a\nb\n"), "");
    }

    #[test]
    fn shows_changes_with_context_and_skips_the_rest() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\nten\n";
        assert_eq!(
            line_diff(old, new),
            "  ...\n  3\n  4\n- 5\n+ five\n  6\n  7\n  8\n  9\n+ ten\n"
        );
    }

    #[test]
    fn distant_changes_are_separate_hunks() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "one\n2\n3\n4\n5\n6\n7\n8\nnine\n";
        assert_eq!(
            line_diff(old, new),
            "- 1\n+ one\n  2\n  3\n  ...\n  7\n  8\n- 9\n+ nine\n"
        );
    }

    #[test]
    fn insertion_in_the_middle_is_aligned() {
        assert_eq!(line_diff("a\nc\n", "a\nb\nc\n"), "  a\n+ b\n  c\n");
    }
}
