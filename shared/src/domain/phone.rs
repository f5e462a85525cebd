//! An official's phone number for SMS: E.164 (`+628123456789`). Indonesian
//! numbers as people write them (`0812-3456-789`, `62812…`, `+62 812 …`)
//! are read into that form once, here.

use std::fmt;

use super::reporter::SenderId;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("a phone number has only digits, spaces, dashes, dots, brackets and a leading +")]
    BadCharacter,
    #[error("not an E.164 number: + country code and number, 8 to 15 digits in all")]
    BadLength,
    #[error("an Indonesian mobile number is 08 followed by 8 to 11 digits (e.g. 0812 3456 7890)")]
    BadIndonesian,
}

impl PhoneNumber {
    /// `08…` and `62…` are Indonesian numbers: `+628…`. Anything else must
    /// start with `+` and a country code.
    pub fn parse(raw: &str) -> Result<Self, PhoneError> {
        let raw = raw.trim();
        let (plus, rest) = match raw.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let mut digits = String::with_capacity(rest.len());
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(PhoneError::BadCharacter),
            }
        }
        let e164 = if plus {
            digits
        } else if let Some(national) = digits.strip_prefix('0') {
            format!("62{national}")
        } else if digits.starts_with("62") {
            digits
        } else {
            return Err(PhoneError::BadLength);
        };
        if !(8..=15).contains(&e164.len()) || e164.starts_with('0') {
            return Err(PhoneError::BadLength);
        }
        if let Some(national) = e164.strip_prefix("62") {
            // Indonesian mobiles: 8xx, 9 to 12 digits after the country code.
            if national.starts_with('8') && !(9..=12).contains(&national.len()) {
                return Err(PhoneError::BadIndonesian);
            }
        }
        Ok(Self(format!("+{e164}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as WhatsApp names its user (`wa_id`): the digits.
    pub fn sender_id(&self) -> SenderId {
        SenderId::parse(self.0.trim_start_matches('+')).expect("an E.164 number's digits are a sender id")
    }

    /// The number as screens show it, enough to tell two apart and to
    /// recognise one's own: `+62812****7890`. The last four digits, and at
    /// most five leading ones with at least three hidden between; always
    /// four stars, so the mask does not tell the length.
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let tail = digits.len() - 4;
        let head = tail.saturating_sub(3).min(5);
        format!("+{}****{}", &digits[..head], &digits[tail..])
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for PhoneNumber {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_numbers_become_e164() {
        for raw in [
            "081234567890",
            "0812-3456-7890",
            "0812 3456 7890",
            "+62 812 3456 7890",
            "6281234567890",
            "+6281234567890",
            " (0812) 3456.7890 ",
        ] {
            assert_eq!(
                PhoneNumber::parse(raw).unwrap().as_str(),
                "+6281234567890",
                "{raw:?}"
            );
        }
        assert_eq!(
            PhoneNumber::parse("+14155550123").unwrap().as_str(),
            "+14155550123"
        );
        assert_eq!(PhoneNumber::parse("0752 21234").unwrap().as_str(), "+6275221234");
    }

    #[test]
    fn the_mask_keeps_the_ends_and_hides_at_least_three_digits() {
        let masked = |raw: &str| PhoneNumber::parse(raw).unwrap().masked();
        assert_eq!(masked("0812 3456 7890"), "+62812****7890");
        assert_eq!(masked("+14155550123"), "+1415****0123");
        assert_eq!(masked("+12345678"), "+1****5678");
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        assert_eq!(PhoneNumber::parse("0812-abc"), Err(PhoneError::BadCharacter));
        assert_eq!(PhoneNumber::parse("+62+812"), Err(PhoneError::BadCharacter));
        assert_eq!(PhoneNumber::parse(""), Err(PhoneError::BadLength));
        assert_eq!(PhoneNumber::parse("12345678"), Err(PhoneError::BadLength));
        assert_eq!(
            PhoneNumber::parse("+1234567890123456"),
            Err(PhoneError::BadLength)
        );
        assert_eq!(PhoneNumber::parse("+0812345678"), Err(PhoneError::BadLength));
        assert_eq!(PhoneNumber::parse("0812345"), Err(PhoneError::BadIndonesian));
        assert_eq!(PhoneNumber::parse("08123456"), Err(PhoneError::BadIndonesian));
        assert_eq!(PhoneNumber::parse("0812345678901234"), Err(PhoneError::BadLength));
    }
}
