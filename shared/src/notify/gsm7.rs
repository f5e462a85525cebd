//! SMS text in the GSM-7 alphabet (3GPP TS 23.038): what fits in one
//! 160-character segment. Characters of the extension table (`^ { } \ [ ~ ] | €`
//! and form feed) take two septets; anything outside the alphabet would switch
//! the whole SMS to UCS-2 (70 characters), so it is transliterated first.

/// The basic character set: one septet each.
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table: an escape plus the character, two septets each.
const EXTENDED: &str = "\u{c}^{}\\[~]|€";

/// Septets `c` takes, or `None` if it is not in the GSM-7 alphabet.
pub fn units(c: char) -> Option<usize> {
    if BASIC.contains(c) {
        Some(1)
    } else if EXTENDED.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Septets `text` takes, or `None` if some character is not GSM-7.
pub fn len(text: &str) -> Option<usize> {
    text.chars().map(units).sum()
}

/// `text` in the GSM-7 alphabet: accented letters folded to their base
/// letter where GSM-7 lacks them, typographic punctuation to ASCII, anything
/// else to `?`.
pub fn transliterate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if units(c).is_some() {
            out.push(c);
            continue;
        }
        match fold(c) {
            Some(s) => out.push_str(s),
            None => out.push('?'),
        }
    }
    out
}

/// The longest prefix of `text` (already GSM-7) that takes at most `max` septets.
pub fn truncate(text: &str, max: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += units(c).unwrap_or(1);
        if used > max {
            return &text[..i];
        }
    }
    text
}

/// `text` as printable ASCII on one line (for an email subject): folded like
/// [`transliterate`], then anything else dropped, whitespace runs collapsed,
/// and cut at `max` characters.
pub fn ascii_line(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let piece: Option<std::borrow::Cow<'_, str>> = if c.is_ascii_graphic() {
            Some(c.to_string().into())
        } else if c.is_whitespace() {
            Some(" ".into())
        } else {
            fold(c)
                .map(Into::into)
                .or_else(|| ascii_of_gsm(c).map(Into::into))
        };
        if let Some(piece) = piece {
            for p in piece.chars() {
                if p == ' ' && (out.is_empty() || out.ends_with(' ')) {
                    continue;
                }
                out.push(p);
            }
        }
    }
    let trimmed = out.trim_end();
    trimmed
        .chars()
        .take(max)
        .collect::<String>()
        .trim_end()
        .to_owned()
}

fn ascii_of_gsm(c: char) -> Option<&'static str> {
    Some(match c {
        'è' | 'é' => "e",
        'ù' => "u",
        'ì' => "i",
        'ò' => "o",
        'Ç' => "C",
        'Ø' => "O",
        'ø' => "o",
        'Å' | 'Ä' => "A",
        'å' | 'ä' | 'à' => "a",
        'Æ' => "AE",
        'æ' => "ae",
        'ß' => "ss",
        'É' => "E",
        'Ö' => "O",
        'ö' => "o",
        'Ñ' => "N",
        'ñ' => "n",
        'Ü' => "U",
        'ü' => "u",
        _ => return None,
    })
}

fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'á' | 'â' | 'ã' | 'ā' => "a",
        'Á' | 'Â' | 'Ã' | 'À' | 'Ā' => "A",
        'ê' | 'ë' | 'ē' => "e",
        'Ê' | 'Ë' | 'È' | 'Ē' => "E",
        'í' | 'î' | 'ï' | 'ī' => "i",
        'Í' | 'Î' | 'Ï' | 'Ì' | 'Ī' => "I",
        'ó' | 'ô' | 'õ' | 'ō' => "o",
        'Ó' | 'Ô' | 'Õ' | 'Ò' | 'Ō' => "O",
        'ú' | 'û' | 'ū' => "u",
        'Ú' | 'Û' | 'Ù' | 'Ū' => "U",
        'ç' => "c",
        'ý' | 'ÿ' => "y",
        'Ý' => "Y",
        '‘' | '’' | '`' | '´' => "'",
        '“' | '”' => "\"",
        '–' | '—' | '−' => "-",
        '…' => "...",
        '\t' | '\u{a0}' => " ",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_extension_characters_twice() {
        assert_eq!(len("Aduan Garegeh"), Some(13));
        assert_eq!(len("a[b]"), Some(6));
        assert_eq!(len("€5 {x}"), Some(9));
        assert_eq!(len("café"), Some(4));
        assert_eq!(len("naïve"), None);
        assert_eq!(len("😀"), None);
    }

    #[test]
    fn transliterates_what_gsm7_lacks() {
        assert_eq!(transliterate("naïve – “ok”…"), "naive - \"ok\"...");
        assert_eq!(transliterate("Garégeh"), "Garégeh");
        assert_eq!(transliterate("日本"), "??");
        assert!(len(&transliterate("ÂÊÎÔÛ 😀 ~")).is_some());
    }

    #[test]
    fn truncates_by_septets() {
        assert_eq!(truncate("abcdef", 4), "abcd");
        assert_eq!(truncate("ab[d", 3), "ab");
        assert_eq!(truncate("ab[d", 4), "ab[");
        assert_eq!(truncate("abc", 10), "abc");
    }

    #[test]
    fn ascii_subject_lines() {
        assert_eq!(
            ascii_line("Eskalasi  Garégeh\n– ok", 100),
            "Eskalasi Garegeh - ok"
        );
        assert_eq!(ascii_line(&"x".repeat(150), 100).len(), 100);
        assert_eq!(ascii_line("日本 abc", 100), "abc");
    }
}
