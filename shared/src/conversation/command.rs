//! The few words a citizen can type to steer the desk. Anything else is a
//! report (or part of one).

use crate::domain::ticket::Ticket;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `STATUS`: the citizen's own cases.
    StatusAll,
    /// `STATUS ADU-0042`: one of them.
    Status(TicketArg),
    /// `BATAL ADU-0042`: withdraw it.
    Withdraw(TicketArg),
    /// `BARU`, optionally followed by the new report's text.
    New(Option<String>),
    /// `BANTUAN`, `MENU`, `HELP`, `INFO`.
    Help,
    /// `BERHENTI`, `STOP`: no more messages but replies to what they send.
    Stop,
    /// `MULAI`, `START`: messages again.
    Resume,
    /// `PRIVASI`: the full privacy notice.
    Privacy,
    /// `DATA SAYA`: what the desk holds about them.
    MyData,
    /// `HAPUS DATA`: asks them to confirm the erasure of their data.
    Erase,
    /// The erasure confirmed: its button, or `HAPUS DATA YA` typed (where
    /// buttons do not come back, as on Twilio).
    EraseConfirmed,
}

/// A ticket as typed: parsed, or not recognisable (answered with an example).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TicketArg {
    Valid(Ticket),
    Invalid,
}

impl TicketArg {
    fn parse(raw: &str) -> Self {
        Ticket::parse(raw).map_or(TicketArg::Invalid, TicketArg::Valid)
    }
}

impl Command {
    /// Commands are the first word, any case, with optional punctuation
    /// after it (`Status:`, `batal - ADU-0042`).
    pub fn parse(text: &str) -> Option<Command> {
        let text = text.trim();
        let (first, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
        let word: String = first
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_uppercase();
        let rest = rest.trim().trim_start_matches([':', '-', '.', ',']).trim();
        match word.as_str() {
            "STATUS" | "CEK" if rest.is_empty() => Some(Command::StatusAll),
            "STATUS" | "CEK" => Some(Command::Status(TicketArg::parse(rest))),
            "BATAL" | "BATALKAN" if !rest.is_empty() => Some(Command::Withdraw(TicketArg::parse(rest))),
            "BATAL" | "BATALKAN" => Some(Command::Withdraw(TicketArg::Invalid)),
            "BARU" => Some(Command::New((!rest.is_empty()).then(|| rest.to_owned()))),
            "BANTUAN" | "MENU" | "HELP" | "INFO" if rest.is_empty() => Some(Command::Help),
            // Alone only: "stop kontak liar di pasar" is a report.
            "BERHENTI" | "STOP" if rest.is_empty() => Some(Command::Stop),
            "MULAI" | "START" if rest.is_empty() => Some(Command::Resume),
            "PRIVASI" | "PRIVACY" if rest.is_empty() => Some(Command::Privacy),
            _ => match (word.as_str(), rest.to_uppercase().as_str()) {
                ("DATA", "SAYA") => Some(Command::MyData),
                ("HAPUS", "DATA") => Some(Command::Erase),
                ("HAPUS", "DATA YA") => Some(Command::EraseConfirmed),
                _ => None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(n: u64) -> TicketArg {
        TicketArg::Valid(Ticket::parse(&format!("ADU-{n}")).unwrap())
    }

    #[test]
    fn parses_commands_as_people_type_them() {
        assert_eq!(Command::parse("STATUS"), Some(Command::StatusAll));
        assert_eq!(Command::parse(" status "), Some(Command::StatusAll));
        assert_eq!(
            Command::parse("Status: adu-42"),
            Some(Command::Status(ticket(42)))
        );
        assert_eq!(
            Command::parse("STATUS ADU 0042"),
            Some(Command::Status(ticket(42)))
        );
        assert_eq!(
            Command::parse("status xyz"),
            Some(Command::Status(TicketArg::Invalid))
        );
        assert_eq!(
            Command::parse("BATAL ADU-0042"),
            Some(Command::Withdraw(ticket(42)))
        );
        assert_eq!(
            Command::parse("batal"),
            Some(Command::Withdraw(TicketArg::Invalid))
        );
        assert_eq!(Command::parse("BARU"), Some(Command::New(None)));
        assert_eq!(
            Command::parse("baru: lampu jalan mati"),
            Some(Command::New(Some("lampu jalan mati".into())))
        );
        assert_eq!(Command::parse("bantuan"), Some(Command::Help));
        assert_eq!(Command::parse("BERHENTI"), Some(Command::Stop));
        assert_eq!(Command::parse("stop."), Some(Command::Stop));
        assert_eq!(Command::parse("Mulai"), Some(Command::Resume));
        assert_eq!(Command::parse("privasi"), Some(Command::Privacy));
        assert_eq!(Command::parse("Data saya"), Some(Command::MyData));
        assert_eq!(Command::parse("HAPUS DATA"), Some(Command::Erase));
        assert_eq!(Command::parse("hapus data ya"), Some(Command::EraseConfirmed));
    }

    #[test]
    fn ordinary_reports_are_not_commands() {
        for text in [
            "Jalan rusak di Garegeh",
            "statusnya bagaimana ya",
            "menu makanan posyandu kurang",
            "berhenti di depan sekolah, angkot menutup jalan",
            "mulai kapan jalan ini diperbaiki",
            "stop liar di pasar ateh",
            "privasi warga dilanggar tetangga",
            "data saya salah di kantor lurah",
            "hapus data ganda di dukcapil",
            "",
        ] {
            assert_eq!(Command::parse(text), None, "{text:?}");
        }
    }
}
