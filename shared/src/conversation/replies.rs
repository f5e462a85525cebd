//! Replies built from the texts file: every message Aduan sends a citizen.

use chrono::{DateTime, Utc};

use super::{ids, Context};
use crate::domain::case::Case;
use crate::domain::jurisdiction::{JurisdictionPath, Jurisdictions, Node, NodeKind};
use crate::domain::kind::CaseKind;
use crate::domain::ladder::{Level, Tier};
use crate::domain::privacy::Privacy;
use crate::domain::sla::WorkingCalendar;
use crate::domain::ticket::Ticket;
use crate::texts::{render, Texts};
use crate::whatsapp::outbound::Outbound;

/// "Kelurahan Garegeh", "Kecamatan Guguk Panjang", "Kota Bukittinggi".
pub fn area_name(tree: &Jurisdictions, path: &JurisdictionPath) -> String {
    tree.node(path)
        .map_or_else(|| path.last_segment().to_owned(), Node::display_name)
}

/// The office that has `case` at `level`, by name, for the citizen:
/// "Kecamatan Mandiangin Koto Selayan", "Pemerintah Kota Bukittinggi",
/// "Dinas PUPR"; the level's generic name only where the tree has no node
/// (a case whose kelurahan is not known yet, at the kelurahan tier).
pub fn office_name(texts: &Texts, tree: &Jurisdictions, case: &Case, level: &Level) -> String {
    if let (Level::Tier(Tier::Rw | Tier::Rt), Some(unit)) = (level, &case.handed_down_to) {
        return unit_name(tree, unit);
    }
    let node = match (level, &case.agency) {
        (Level::Agency(_), Some(agency)) => tree.node(agency),
        (Level::Tier(tier), _) => {
            let kind = match tier {
                Tier::Rt => NodeKind::Rt,
                Tier::Rw => NodeKind::Rw,
                Tier::Kelurahan => NodeKind::Kelurahan,
                Tier::Kecamatan => NodeKind::Kecamatan,
                Tier::Kota => NodeKind::Kota,
            };
            case.area()
                .lineage()
                .iter()
                .filter_map(|path| tree.node(path))
                .find(|node| node.kind == kind)
        }
        (Level::Agency(_), None) => None,
    };
    match node {
        Some(node) if node.kind == NodeKind::Kota => format!("Pemerintah {}", node.name),
        Some(node) => node.display_name(),
        None => texts.level_name(level).to_owned(),
    }
}

/// An RW or RT by its numbers and kelurahan: "RT 02 RW 01, Kelurahan
/// Garegeh" (units are not nodes of the tree: their paths say it all).
pub fn unit_name(tree: &Jurisdictions, unit: &JurisdictionPath) -> String {
    // `rw-01/rt-02` → "RT 02 RW 01": the narrowest first, as people say it.
    let mut numbers: Vec<String> = unit
        .segments()
        .skip(3)
        .map(|s| s.replacen('-', " ", 1).to_uppercase())
        .collect();
    numbers.reverse();
    let numbers = numbers.join(" ");
    match unit.ancestor_at(3) {
        Some(kelurahan) => format!("{numbers}, {}", area_name(tree, &kelurahan)),
        None => numbers,
    }
}

/// The first reply: the ticket, confidentiality, how to follow up; and,
/// when the kelurahan is still unknown, the question in the same message
/// (one send).
pub fn acknowledge(
    ctx: Context<'_>,
    ticket: &Ticket,
    kind: CaseKind,
    area: Option<&JurisdictionPath>,
    question: Option<&Outbound>,
) -> Outbound {
    let (texts, tree) = (ctx.texts, ctx.tree);
    // A question is thanked as a question, not as "your report".
    let template = match kind {
        CaseKind::Pertanyaan => &texts.ack_question,
        CaseKind::Pengaduan | CaseKind::Saran | CaseKind::Kritik => &texts.ack_new,
    };
    let mut ack = render(
        template,
        &[("ticket", ticket.as_str()), ("kind", texts.kind_name(kind))],
    );
    if let Some(area) = area {
        ack.push_str("\n\n");
        ack.push_str(&render(&texts.ack_forwarded, &[("area", &area_name(tree, area))]));
        push_elsewhere(ctx, area, &mut ack);
    }
    match question {
        Some(Outbound::List { body, button, rows }) => Outbound::List {
            body: crate::whatsapp::outbound::shorten(
                &format!("{ack}\n\n{body}"),
                crate::whatsapp::outbound::MAX_INTERACTIVE_BODY,
            ),
            button: button.clone(),
            rows: rows.clone(),
        },
        Some(other) => Outbound::text(format!("{ack}\n\n{}", other.as_plain_text())),
        None => Outbound::text(ack),
    }
}

pub fn kelurahan_set(ctx: Context<'_>, ticket: &Ticket, node: &Node) -> String {
    let mut text = render(
        &ctx.texts.kelurahan_set,
        &[
            ("ticket", ticket.as_str()),
            ("area", &area_name(ctx.tree, &node.path)),
        ],
    );
    push_elsewhere(ctx, &node.path, &mut text);
    text
}

/// On a number serving one kecamatan, a kelurahan of another one is said
/// to be elsewhere, so the citizen knows why it is not in the number's list.
fn push_elsewhere(ctx: Context<'_>, area: &JurisdictionPath, text: &mut String) {
    let Some(serving) = ctx.receiving_kecamatan else {
        return;
    };
    let Some(kecamatan) = ctx.tree.kecamatan_of(area) else {
        return;
    };
    if area.is_within(serving) {
        return;
    }
    text.push(' ');
    text.push_str(&render(
        &ctx.texts.ack_elsewhere,
        &[
            ("area", &area_name(ctx.tree, area)),
            ("kecamatan", &area_name(ctx.tree, &kecamatan.path)),
        ],
    ));
}

/// "Is it really solved?" with yes/no buttons, sent when an official resolves.
pub fn confirm_question(texts: &Texts, ticket: &Ticket, note: &str) -> Outbound {
    let body = render(
        &texts.confirm_question,
        &[("ticket", ticket.as_str()), ("note", note)],
    );
    confirm_buttons(texts, &body)
}

/// "Is it solved?" asked again after an answer that said neither.
pub fn confirm_again(texts: &Texts, ticket: &Ticket) -> Outbound {
    let body = render(&texts.confirm_again, &[("ticket", ticket.as_str())]);
    confirm_buttons(texts, &body)
}

fn confirm_buttons(texts: &Texts, body: &str) -> Outbound {
    Outbound::buttons(
        body,
        vec![
            (ids::SOLVED_YES.to_owned(), texts.confirm_yes_button.clone()),
            (ids::SOLVED_NO.to_owned(), texts.confirm_no_button.clone()),
        ],
    )
    .expect("two buttons fit")
}

/// The 1–5 rating as a list (five choices do not fit in three buttons).
pub fn rating_question(texts: &Texts, ticket: &Ticket) -> Outbound {
    let body = render(&texts.rating_question, &[("ticket", ticket.as_str())]);
    let rows = texts
        .rating_labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            (
                format!("{}{}", ids::RATE_ROW, i + 1),
                format!("{} - {label}", i + 1),
            )
        })
        .collect();
    Outbound::list(&body, &texts.rating_button, rows).expect("five rows fit")
}

fn local_date(calendar: &WorkingCalendar, at: DateTime<Utc>) -> String {
    calendar.local_date(at).format("%d/%m/%Y").to_string()
}

/// `STATUS`: the citizen's own cases, newest first; one merged into
/// another shows that case and its status (`targets`: the cases the
/// listed ones are merged into).
pub fn status_list(texts: &Texts, calendar: &WorkingCalendar, cases: &[Case], targets: &[Case]) -> Outbound {
    if cases.is_empty() {
        return Outbound::text(&texts.status_none);
    }
    let mut text = texts.status_header.clone();
    for case in cases {
        let date = local_date(calendar, case.created_at);
        let mut fields = vec![
            ("ticket", case.ticket.as_str()),
            ("kind", texts.kind_name(case.kind)),
            ("date", &date),
        ];
        let target = case
            .merged_into
            .as_ref()
            .and_then(|into| targets.iter().find(|t| t.id == into.case));
        let line = match target {
            Some(target) => {
                fields.extend([
                    ("into", target.ticket.as_str()),
                    ("status", texts.status_name(target.status)),
                ]);
                &texts.status_line_merged
            }
            None => {
                fields.push(("status", texts.status_name(case.status)));
                &texts.status_line
            }
        };
        text.push('\n');
        text.push_str(&render(line, &fields));
    }
    Outbound::text(text)
}

/// `PRIVASI`: the full notice, with the city's data protection officer.
pub fn privacy_notice(texts: &Texts, privacy: &Privacy) -> Outbound {
    let contact_days = privacy.contact_retention.as_days().to_string();
    let media_days = privacy.media_retention.as_days().to_string();
    Outbound::text(render(
        &texts.privacy,
        &[
            ("dpo", &privacy.dpo_contact),
            ("contact_days", &contact_days),
            ("media_days", &media_days),
        ],
    ))
}

/// `DATA SAYA`: what is held about the citizen: their contact and how
/// long it is kept, and each case of theirs with its date and status (never
/// officials' notes).
pub fn my_data(texts: &Texts, calendar: &WorkingCalendar, privacy: &Privacy, cases: &[Case]) -> Outbound {
    let mut text = texts.my_data_header.clone();
    if cases.is_empty() {
        text.push('\n');
        text.push_str(&texts.my_data_none);
    }
    for case in cases {
        text.push('\n');
        text.push_str(&render(
            &texts.my_data_line,
            &[
                ("ticket", case.ticket.as_str()),
                ("kind", texts.kind_name(case.kind)),
                ("date", &local_date(calendar, case.created_at)),
                ("status", texts.status_name(case.status)),
            ],
        ));
    }
    text.push('\n');
    let days = privacy.contact_retention.as_days().to_string();
    text.push_str(&render(&texts.my_data_contact, &[("days", &days)]));
    Outbound::text(text)
}

/// "New report or addition?" about a message sent to an old or resolved
/// open case.
pub fn new_or_addition(texts: &Texts, ticket: &Ticket, resolved: bool, days: &str) -> Outbound {
    let body = match resolved {
        true => render(&texts.new_or_addition_resolved, &[("ticket", ticket.as_str())]),
        false => render(
            &texts.new_or_addition_old,
            &[("ticket", ticket.as_str()), ("days", days)],
        ),
    };
    Outbound::buttons(
        &body,
        vec![
            (ids::ADDITION.to_owned(), texts.addition_button.clone()),
            (ids::NEW_REPORT.to_owned(), texts.new_report_button.clone()),
        ],
    )
    .expect("two buttons fit")
}

/// `HAPUS DATA`: what an erasure does, and the buttons that confirm it.
pub fn erase_question(texts: &Texts) -> Outbound {
    Outbound::buttons(
        &texts.erase_question,
        vec![
            (ids::ERASE_YES.to_owned(), texts.erase_yes_button.clone()),
            (ids::ERASE_NO.to_owned(), texts.erase_no_button.clone()),
        ],
    )
    .expect("two buttons fit")
}

/// `STATUS ADU-0042`: one case; a case merged into another names it (whose
/// news reaches the reporter; its status is read for `STATUS` alone).
pub fn status_one(texts: &Texts, tree: &Jurisdictions, calendar: &WorkingCalendar, case: &Case) -> Outbound {
    if let Some(merged) = &case.merged_into {
        return Outbound::text(render(
            &texts.status_one_merged,
            &[
                ("ticket", case.ticket.as_str()),
                ("kind", texts.kind_name(case.kind)),
                ("date", &local_date(calendar, case.created_at)),
                ("into", merged.ticket.as_str()),
            ],
        ));
    }
    Outbound::text(render(
        &texts.status_one,
        &[
            ("ticket", case.ticket.as_str()),
            ("kind", texts.kind_name(case.kind)),
            ("date", &local_date(calendar, case.created_at)),
            ("status", texts.status_name(case.status)),
            ("area", &area_name(tree, case.area())),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::tests::sample_new_case;
    use crate::domain::ladder::Ladder;
    use crate::domain::merge::MergedInto;
    use crate::domain::sla::SlaPolicy;

    fn body(message: Outbound) -> String {
        match message {
            Outbound::Text { body } => body,
            other => panic!("not a text: {other:?}"),
        }
    }

    #[test]
    fn status_of_a_merged_case_names_the_case_it_follows() {
        let (texts, tree, sla) = (
            Texts::shipped(),
            Jurisdictions::bukittinggi(),
            SlaPolicy::default(),
        );
        let (mut case, _) = Case::open(sample_new_case(43), &Ladder::default(), &sla, Utc::now());
        let own = body(status_one(&texts, tree, &sla.calendar, &case));
        assert!(own.contains("ADU-0043") && own.contains("Status:"), "{own}");
        case.merged_into = Some(MergedInto {
            case: case.id.clone(),
            ticket: Ticket::parse("ADU-0042").unwrap(),
            at: Utc::now(),
            status: case.status,
            handed_down_to: None,
        });
        let merged = body(status_one(&texts, tree, &sla.calendar, &case));
        assert!(
            merged.contains("ADU-0043") && merged.contains("*ADU-0042*"),
            "{merged}"
        );
        assert!(!merged.contains("Status:"), "{merged}");
    }
}
