//! Normalising text to lowercase ASCII words (common accents folded,
//! everything that is not a letter or digit is a word break): how names,
//! aliases and categories are compared, at load time and when matching, how
//! the vocabulary reads a citizen's message, and how two citizens' texts are
//! compared for suggested duplicates.

/// Appends `text` as lowercase ASCII words, each followed by one space.
pub(crate) fn push_words(text: &str, out: &mut String) {
    let mut in_word = false;
    for c in text.chars() {
        match fold_char(c) {
            Some(folded) => {
                out.push(folded);
                in_word = true;
            }
            None if in_word => {
                out.push(' ');
                in_word = false;
            }
            None => {}
        }
    }
    if in_word {
        out.push(' ');
    }
}

/// `text` as lowercase ASCII words joined by single spaces: " Lalu-Lintas " → "lalu lintas".
pub(crate) fn words_of(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_words(text, &mut out);
    out.pop();
    out
}

/// The slug of a display name: lowercase ASCII (common accents folded),
/// non-alphanumerics to single hyphens, trimmed. "Kubu Tanjung" → "kubu-tanjung".
pub fn slugify(name: &str) -> String {
    words_of(name).replace(' ', "-")
}

/// A letter or digit folded to lowercase ASCII; `None` for everything else
/// (a word break). Folds the Latin-1 accented letters people occasionally type.
fn fold_char(c: char) -> Option<char> {
    if c.is_ascii_alphanumeric() {
        return Some(c.to_ascii_lowercase());
    }
    let folded = match c {
        'À'..='Å' | 'à'..='å' => 'a',
        'Ç' | 'ç' => 'c',
        'È'..='Ë' | 'è'..='ë' => 'e',
        'Ì'..='Ï' | 'ì'..='ï' => 'i',
        'Ñ' | 'ñ' => 'n',
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' => 'o',
        'Ù'..='Ü' | 'ù'..='ü' => 'u',
        'Ý' | 'ý' | 'ÿ' => 'y',
        _ => return None,
    };
    Some(folded)
}

/// Whether `a` and `b` (ASCII, different) differ by one letter changed,
/// added or removed, or two neighbours swapped.
pub(crate) fn one_typo_apart(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 || a == b {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        let (x, y) = (&short[prefix..], &long[prefix..]);
        // One letter changed, or two neighbours swapped.
        x[1..] == y[1..] || (x.len() >= 2 && x[0] == y[1] && x[1] == y[0] && x[2..] == y[2..])
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_lowercase_ascii_words() {
        assert_eq!(words_of("  Kel. KUBU-Tanjuang!! "), "kel kubu tanjuang");
        assert_eq!(words_of("Garégeh"), "garegeh");
        assert_eq!(words_of("--"), "");
        let mut out = String::from(" ");
        push_words("a  b", &mut out);
        assert_eq!(out, " a b ");
    }
}
