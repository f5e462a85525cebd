use std::fmt;

use serde::{Deserialize, Serialize};

/// A case's short human ticket, e.g. `ADU-0042`: 2–5 uppercase letters, a
/// hyphen, at least 4 digits. It is issued with the first reply, before the
/// kelurahan is known, so it encodes nothing but a deployment-wide sequence
/// number: short to read aloud over the phone and to type back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ticket(String);

/// The letters before the hyphen, the same for every ticket of a deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPrefix(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("a ticket prefix is 2 to 5 letters A-Z")]
    BadPrefix,
    #[error("a ticket looks like ADU-0042: letters, a hyphen, digits")]
    Malformed,
    #[error("ticket numbers start at 1 and have at most {MAX_DIGITS} digits")]
    BadNumber,
}

const MIN_DIGITS: usize = 4;
const MAX_DIGITS: usize = 12;

impl TicketPrefix {
    pub fn parse(raw: &str) -> Result<Self, TicketError> {
        let upper = raw.trim().to_ascii_uppercase();
        if (2..=5).contains(&upper.len()) && upper.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(upper))
        } else {
            Err(TicketError::BadPrefix)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for TicketPrefix {
    fn default() -> Self {
        Self("ADU".to_owned())
    }
}

impl Ticket {
    /// The ticket for the `number`th case of the deployment.
    pub fn new(prefix: &TicketPrefix, number: u64) -> Result<Self, TicketError> {
        if number == 0 || number.to_string().len() > MAX_DIGITS {
            return Err(TicketError::BadNumber);
        }
        Ok(Self(format!("{}-{number:0MIN_DIGITS$}", prefix.0)))
    }

    /// Reads a ticket as a citizen or an official types it: any case, with a
    /// hyphen, a space or nothing between letters and digits, with or without
    /// leading zeros (`adu 42`, `ADU0042`, `Adu-42` are all `ADU-0042`).
    pub fn parse(raw: &str) -> Result<Self, TicketError> {
        let raw = raw.trim();
        let letters_end = raw.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(raw.len());
        let prefix = TicketPrefix::parse(&raw[..letters_end]).map_err(|_| TicketError::Malformed)?;
        let rest = raw[letters_end..].trim_start_matches([' ', '-', '_', '.', '#']);
        if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TicketError::Malformed);
        }
        let significant = rest.trim_start_matches('0');
        if significant.len() > MAX_DIGITS {
            return Err(TicketError::BadNumber);
        }
        let number: u64 = significant.parse().map_err(|_| TicketError::BadNumber)?;
        Self::new(&prefix, number)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn number(&self) -> u64 {
        let digits = self.0.rsplit('-').next().unwrap_or_default();
        digits.parse().unwrap_or_default()
    }
}

impl fmt::Display for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Ticket {
    type Error = TicketError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Ticket> for String {
    fn from(value: Ticket) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_padded_tickets() {
        let prefix = TicketPrefix::default();
        assert_eq!(Ticket::new(&prefix, 42).unwrap().as_str(), "ADU-0042");
        assert_eq!(Ticket::new(&prefix, 123_456).unwrap().as_str(), "ADU-123456");
        assert_eq!(Ticket::new(&prefix, 0), Err(TicketError::BadNumber));
        assert_eq!(Ticket::new(&prefix, 42).unwrap().number(), 42);
    }

    #[test]
    fn reads_tickets_as_people_type_them() {
        for typed in [
            "ADU-0042",
            "adu-42",
            "Adu 0042",
            "ADU0042",
            " adu - 42 ",
            "ADU#42",
        ] {
            assert_eq!(Ticket::parse(typed).unwrap().as_str(), "ADU-0042", "{typed:?}");
        }
        assert_eq!(Ticket::parse("LAPOR-7").unwrap().as_str(), "LAPOR-0007");
    }

    #[test]
    fn rejects_what_is_not_a_ticket() {
        for bad in [
            "",
            "ADU",
            "ADU-",
            "A-0042",
            "ADUANX-0042",
            "ADU-00x2",
            "0042",
            "ADU-0",
            "ADU-12.5",
        ] {
            assert!(Ticket::parse(bad).is_err(), "{bad:?} parsed");
        }
        assert_eq!(Ticket::parse("ADU-1234567890123"), Err(TicketError::BadNumber));
        assert!(TicketPrefix::parse("A1").is_err());
        assert_eq!(TicketPrefix::parse("lpr").unwrap().as_str(), "LPR");
    }
}
