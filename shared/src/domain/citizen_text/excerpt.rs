//! A citizen's text shortened for a list of cases: its start, cut at a word
//! when one ends near the limit, with "…" to say there is more.

use std::borrow::Cow;

/// Ends a cut text.
const ELLIPSIS: char = '…';
/// How far back from the limit a cut looks for the end of a word.
const WORD_SLACK: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt<'a> {
    pub text: Cow<'a, str>,
    /// Something was cut: the text ends with "…".
    pub truncated: bool,
}

/// At most `max_chars` characters of `text` (the "…" included): the whole
/// text when it fits; else cut at the last space within 40 characters of
/// the limit, or at the limit (a character boundary) when a word runs on.
pub fn excerpt(text: &str, max_chars: usize) -> Excerpt<'_> {
    let whole = Excerpt {
        text: Cow::Borrowed(text),
        truncated: false,
    };
    if text.char_indices().nth(max_chars).is_none() {
        return whole;
    }
    // Room for the ellipsis: the first max_chars - 1 characters.
    let limit = text
        .char_indices()
        .nth(max_chars.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    let head = &text[..limit];
    let at_word_end = text[limit..].starts_with(char::is_whitespace);
    let cut = match head.rfind(char::is_whitespace) {
        Some(space) if !at_word_end && head[space..].chars().count() <= WORD_SLACK => space,
        _ => limit,
    };
    let mut out = head[..cut].trim_end().to_owned();
    out.push(ELLIPSIS);
    Excerpt {
        text: Cow::Owned(out),
        truncated: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_whole_and_not_copied() {
        let e = excerpt("Lampu jalan mati", 280);
        assert_eq!(e.text, "Lampu jalan mati");
        assert!(!e.truncated && matches!(e.text, Cow::Borrowed(_)));
        assert!(!excerpt(&"x".repeat(280), 280).truncated);
    }

    #[test]
    fn long_text_is_cut_at_a_word_with_a_marker() {
        let text = "jalan berlubang ".repeat(40);
        let e = excerpt(&text, 280);
        assert!(e.truncated);
        assert!(
            e.text.ends_with("berlubang…") || e.text.ends_with("jalan…"),
            "{}",
            e.text
        );
        assert!(e.text.chars().count() <= 280);
        assert!(text.starts_with(e.text.trim_end_matches('…')));
    }

    #[test]
    fn a_word_that_runs_on_is_cut_on_a_character_boundary() {
        // Multi-byte characters throughout: a byte cut would panic.
        let text = format!("awal {}", "ü٣漢".repeat(200));
        let e = excerpt(&text, 280);
        assert_eq!(e.text.chars().count(), 280);
        assert!(e.text.ends_with('…') && e.truncated);
    }
}
