//! The morning digest on WhatsApp, for the officials who chose it at
//! registration (`digest_by_whatsapp`): their node's [`DigestReport`] as the
//! approved utility template `aduan_official_digest`, with one quick-reply
//! button, "Daftar" (`off:list`), that lists their open cases. The same
//! counts as the SMS; a quiet day (nothing new, nothing open) sends none.

use super::digest::DigestReport;
use super::officials::NoticeTemplate;
use super::templates::one_line;
use crate::conversation::official::LIST_BUTTON;
use crate::texts::{render, Texts};
use crate::whatsapp::outbound::Outbound;

/// The template's name unless a city registered another.
pub const DEFAULT_TEMPLATE: &str = "aduan_official_digest";
/// The variable naming it otherwise.
pub const TEMPLATE_VARIABLE: &str = "WHATSAPP_TEMPLATE_OFFICIAL_DIGEST";
/// How many of the most urgent tickets it names.
pub const URGENT_TICKETS: usize = 3;

/// What the template's parameters are filled with, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestParam {
    /// The node, as the SMS names it ("Garegeh", "RT 02 RW 01, Kelurahan Garegeh").
    Office,
    /// The day reported, dd/mm/yyyy.
    Day,
    New,
    Open,
    Overdue,
    Resolved,
    /// Up to [`URGENT_TICKETS`] tickets, most overdue first, then the oldest.
    Urgent,
}

pub const PARAMS: [DigestParam; 7] = [
    DigestParam::Office,
    DigestParam::Day,
    DigestParam::New,
    DigestParam::Open,
    DigestParam::Overdue,
    DigestParam::Resolved,
    DigestParam::Urgent,
];

/// The template's quick-reply button: label, and the payload it sends.
pub const BUTTON: (&str, &str) = ("Daftar", LIST_BUTTON);

/// `report` as an official's morning digest, built purely.
pub fn digest_message(texts: &Texts, template: &NoticeTemplate, report: &DigestReport) -> Outbound {
    let words = &texts.official_digest;
    let urgent: Vec<String> = report
        .oldest
        .iter()
        .take(URGENT_TICKETS)
        .map(|line| match line.overdue_days {
            Some(days) => render(
                &words.overdue_ticket,
                &[("ticket", &line.ticket), ("days", &days.to_string())],
            ),
            None => line.ticket.clone(),
        })
        .collect();
    let param = |param: DigestParam| match param {
        DigestParam::Office => report.name.clone(),
        DigestParam::Day => report.day.format("%d/%m/%Y").to_string(),
        DigestParam::New => report.new_total.to_string(),
        DigestParam::Open => report.open_total.to_string(),
        DigestParam::Overdue => report.overdue.to_string(),
        DigestParam::Resolved => report.resolved.to_string(),
        DigestParam::Urgent if urgent.is_empty() => words.none_urgent.clone(),
        DigestParam::Urgent => urgent.join(", "),
    };
    Outbound::Template {
        name: template.name.clone(),
        language: template.language.clone(),
        // Meta refuses line breaks and runs of spaces in a parameter.
        params: PARAMS.iter().map(|p| one_line(&param(*p))).collect(),
        buttons: vec![BUTTON.1.to_owned()],
        header_image: None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Utc};

    use super::*;
    use crate::domain::jurisdiction::JurisdictionPath;
    use crate::domain::kind::CaseKind;
    use crate::domain::lifecycle::Status;
    use crate::notify::digest::TicketLine;

    fn report(oldest: Vec<TicketLine>) -> DigestReport {
        DigestReport {
            node: JurisdictionPath::parse("bukittinggi/mandiangin-koto-selayan/garegeh").unwrap(),
            name: "Garegeh".into(),
            level: "kelurahan".into(),
            day: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
            as_of: Utc::now(),
            new_by_kind: vec![(CaseKind::Pengaduan, 2)],
            new_total: 2,
            open_by_status: vec![(Status::Received, 5)],
            open_total: 5,
            overdue: 1,
            resolved: 3,
            finished: 0,
            escalated: 0,
            forwarded: 0,
            closed_as: Vec::new(),
            handed_down: 0,
            oldest,
        }
    }

    fn line(ticket: &str, overdue_days: Option<i64>) -> TicketLine {
        TicketLine {
            ticket: ticket.into(),
            place: "Garegeh".into(),
            kind: CaseKind::Pengaduan,
            status: Status::Received,
            age_days: 4,
            overdue_days,
        }
    }

    fn template() -> NoticeTemplate {
        NoticeTemplate {
            name: DEFAULT_TEMPLATE.into(),
            language: "id".into(),
        }
    }

    #[test]
    fn the_digest_carries_the_counts_the_most_urgent_tickets_and_the_list_button() {
        let texts = Texts::shipped();
        let oldest = vec![
            line("ADU-0001", Some(2)),
            line("ADU-0004", None),
            line("ADU-0007", None),
            line("ADU-0009", None),
        ];
        let message = digest_message(&texts, &template(), &report(oldest));
        message.check_limits().unwrap();
        let Outbound::Template {
            name,
            params,
            buttons,
            ..
        } = &message
        else {
            panic!("{message:?}")
        };
        assert_eq!(name, DEFAULT_TEMPLATE);
        assert_eq!(
            params,
            &[
                "Garegeh",
                "04/12/2026",
                "2",
                "5",
                "1",
                "3",
                "ADU-0001 (lewat 2 hari), ADU-0004, ADU-0007"
            ]
        );
        assert_eq!(buttons, &["off:list"]);
    }

    #[test]
    fn a_day_without_open_cases_names_none() {
        let texts = Texts::shipped();
        let Outbound::Template { params, .. } = digest_message(&texts, &template(), &report(Vec::new()))
        else {
            panic!()
        };
        assert_eq!(params[6], texts.official_digest.none_urgent);
    }
}
