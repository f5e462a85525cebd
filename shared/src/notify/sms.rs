//! Fitting a message with variable names (configured, so of any length) into
//! one SMS: at most 160 GSM-7 characters, shortening the names until it fits.

use super::gsm7;
use super::sns::MAX_SMS_GSM7;

/// Builds an SMS from a template taking the most characters of the two
/// variable names, shortening them until the text is at most 160 GSM-7.
pub(crate) fn fit_sms(render: impl Fn(usize, usize) -> String) -> String {
    for (a, b) in [
        (usize::MAX, usize::MAX),
        (40, 30),
        (30, 20),
        (24, 16),
        (16, 12),
        (10, 8),
        (6, 6),
        (0, 0),
    ] {
        let text = gsm7::transliterate(&render(a, b));
        if gsm7::len(&text).is_some_and(|n| n <= MAX_SMS_GSM7) {
            return text;
        }
    }
    let text = gsm7::transliterate(&render(0, 0));
    gsm7::truncate(&text, MAX_SMS_GSM7).to_owned()
}

/// At most `max` characters of `name`, a "." marking a cut.
pub(crate) fn cut(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = name.chars().take(max - 1).collect();
    out = out.trim_end().to_owned();
    out.push('.');
    out
}
