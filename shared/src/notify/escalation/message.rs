//! The escalation message to officials on `ESCALATION_TOPIC_ARN`, built
//! purely: the same message whoever escalated (an official through the API,
//! or the SLA sweep).
//!
//! One SNS message per escalation, `MessageStructure=json` with `default`,
//! `sms` (at most 160 GSM-7 characters: ticket, kelurahan, kind, age) and
//! `email` (the summary and a link to the case); message attributes
//! `jurisdiction` (path with a trailing slash, so a prefix filter stops at a
//! segment boundary), `level` (the new level) and `type` = `escalation`.
//! Never the reporter's number: nothing of the reporter is included, and
//! long numbers in the citizen's description are masked (`citizen_text`).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};

use crate::conversation::replies::unit_name;
use crate::domain::case::Case;
use crate::domain::citizen_text::{excerpt, mask_numbers};
use crate::domain::jurisdiction::{JurisdictionPath, Jurisdictions};
use crate::domain::ladder::Level;
use crate::domain::timeline::{Actor, EventBody, TimelineEvent};
use crate::notify::names::{area_lineage, area_name, level_name, node_name};
use crate::notify::sms::{cut, fit_sms};
use crate::notify::sns::{SnsMessage, MAX_SUBJECT};
use crate::notify::{gsm7, ATTR_JURISDICTION, ATTR_LEVEL, ATTR_TYPE};

/// The `type` attribute of escalations.
pub const ESCALATION_TYPE: &str = "escalation";

/// How much of the citizen's description an email quotes.
const DESCRIPTION_CHARS: usize = 400;

/// What a message needs besides the case and the event.
#[derive(Debug, Clone)]
pub struct MessageContext<'a> {
    pub tree: &'a Jurisdictions,
    /// The officials' console, for the link in emails (`<base>/cases/<ticket>`:
    /// the console opens a case by its ticket, as the API does).
    pub console_base_url: Option<&'a str>,
    /// The city's time zone, for the dates shown.
    pub offset: FixedOffset,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the event is not an escalation")]
pub struct NotAnEscalation;

/// The escalation message for `event` (an `Escalated` event of `case`).
/// The age is the case's age when it was escalated, so a retried publish
/// says the same as the first attempt would have.
pub fn escalation_message(
    case: &Case,
    event: &TimelineEvent,
    ctx: &MessageContext<'_>,
) -> Result<SnsMessage, NotAnEscalation> {
    let tree = ctx.tree;
    // A forward goes out like an escalation, named by its offices and
    // heard along the line of both (`forward_jurisdiction`).
    let (from_name, to, reason, jurisdiction, (headline, subject_word, verb)) = match &event.body {
        EventBody::Escalated {
            from,
            to,
            reason,
            from_unit,
        } => (
            level_name(tree, from),
            to,
            reason.as_deref(),
            escalation_jurisdiction(case, to, from_unit.as_ref()).clone(),
            ("ESKALASI", "Eskalasi", "dieskalasi"),
        ),
        EventBody::Forwarded { from, to, reason, .. } => (
            office_name(tree, &from.path),
            &to.level,
            Some(reason.as_str()),
            forward_jurisdiction(&from.path, &to.path).clone(),
            ("DIALIHKAN", "Dialihkan", "dialihkan"),
        ),
        _ => return Err(NotAnEscalation),
    };
    let area = case.area();
    let place = area_name(tree, area);
    let target = match &event.body {
        EventBody::Forwarded { to, .. } => office_name(tree, &to.path),
        _ => level_name(tree, to),
    };
    let age_days = (event.at - case.created_at).num_days().max(0);
    let kind = case.kind.as_str();
    let ticket = case.ticket.as_str();

    // SMS: shorten the names (config-controlled, so unbounded) until it fits.
    let sms = fit_sms(|place_max, target_max| {
        format!(
            "Aduan {headline} {ticket} ke {}: {}, {kind}, {age_days} hari",
            cut(&target, target_max),
            cut(&place, place_max),
        )
    });

    let subject = gsm7::ascii_line(
        &format!("[Aduan] {} {ticket} ke {target} - {place}", subject_word),
        MAX_SUBJECT,
    );

    let local = |at: DateTime<Utc>| at.with_timezone(&ctx.offset).format("%d/%m/%Y %H:%M").to_string();
    let mut email = String::new();
    let by = match &event.actor {
        Actor::System => "sistem (batas waktu penanganan terlewati)".to_owned(),
        Actor::Official { name, .. } => format!("petugas {name}"),
        Actor::Citizen => "pelapor".to_owned(),
    };
    email.push_str(&format!(
        "Kasus {ticket} {verb} dari {from_name} ke {target}.\n\n"
    ));
    let mut line = |label: &str, value: &str| email.push_str(&format!("{label:<12}: {value}\n"));
    line("Tiket", ticket);
    line("Wilayah", &area_lineage(tree, area));
    line("Jenis", kind);
    if let Some(category) = &case.category {
        line("Kategori", category);
    }
    line("Status", case.status.as_str());
    line(
        "Umur",
        &format!("{age_days} hari (masuk {})", local(case.created_at)),
    );
    line("Oleh", &by);
    if let Some(reason) = reason {
        line("Alasan", reason);
    }
    if let Some(due) = case.due_at {
        line("Batas baru", &local(due));
    }
    email.push_str("\nRingkasan laporan:\n  ");
    email.push_str(&summary(&case.description));
    email.push('\n');
    match ctx.console_base_url {
        Some(base) => email.push_str(&format!(
            "\nBuka kasus: {}/cases/{}\n",
            base.trim_end_matches('/'),
            case.ticket
        )),
        None => email.push_str(&format!("\nBuka kasus {ticket} di konsol Aduan.\n")),
    }

    let mut attributes = BTreeMap::new();
    attributes.insert(ATTR_JURISDICTION.to_owned(), jurisdiction.with_trailing_slash());
    attributes.insert(ATTR_LEVEL.to_owned(), to.to_string());
    attributes.insert(ATTR_TYPE.to_owned(), ESCALATION_TYPE.to_owned());
    Ok(SnsMessage {
        subject,
        default: sms.clone(),
        sms,
        email,
        attributes,
    })
}

/// Whose subscriptions see the escalation: the agency's node when the case
/// went to an agency (its area's officials are not that agency's), else the
/// RW or RT it leaves (`from_unit`: within the area, so the area's
/// subscriptions match too), else the case's area, whose ancestors (the
/// kecamatan, the kota) match by prefix.
pub fn escalation_jurisdiction<'a>(
    case: &'a Case,
    to: &Level,
    from_unit: Option<&'a JurisdictionPath>,
) -> &'a JurisdictionPath {
    match (to, &case.agency, from_unit) {
        (Level::Agency(_), Some(agency), _) => agency,
        (_, _, Some(unit)) => unit,
        _ => case.area(),
    }
}

/// Whose subscriptions hear of a forward: along the line of both offices,
/// so the deeper one when one lies in the other (a hand-down reaches the RT
/// and everyone above it, a hand-back the RT it came from), else the new
/// office's (sideways: another area, a dinas).
pub fn forward_jurisdiction<'a>(
    from: &'a JurisdictionPath,
    to: &'a JurisdictionPath,
) -> &'a JurisdictionPath {
    if to.is_within(from) || !from.is_within(to) {
        to
    } else {
        from
    }
}

/// A node by name, an RW or RT (not in the tree) by its numbers.
fn office_name(tree: &Jurisdictions, path: &JurisdictionPath) -> String {
    if tree.node(path).is_none() && path.depth() > 3 {
        unit_name(tree, path)
    } else {
        node_name(tree, path)
    }
}

/// The description as an email quotes it: [`summary_of`] 400 characters.
pub fn summary(description: &str) -> String {
    summary_of(description, DESCRIPTION_CHARS)
}

/// The description on one paragraph, long numbers masked, then cut to
/// `chars` at a word (so a cut never leaves part of a number too short to
/// be masked).
pub fn summary_of(description: &str, chars: usize) -> String {
    let flat: String = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let excerpt = excerpt(&mask_numbers(&flat), chars).text.into_owned();
    if excerpt.is_empty() {
        "(tanpa teks)".to_owned()
    } else {
        excerpt
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{Channel, Escalation, NewCase, Provider};
    use crate::domain::kind::CaseKind;
    use crate::domain::ladder::{Ladder, Tier};
    use crate::domain::reporter::ReporterId;
    use crate::domain::sla::SlaPolicy;
    use crate::domain::sla::WIB_OFFSET_SECONDS;
    use crate::domain::ticket::Ticket;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn case(area: &str, description: &str) -> Case {
        let area = JurisdictionPath::parse(area).unwrap();
        let new = NewCase {
            ticket: Ticket::parse("ADU-0042").unwrap(),
            kind: CaseKind::Pengaduan,
            description: description.into(),
            home: area.ancestor_at(2).unwrap(),
            jurisdiction: Some(area),
            reporter: ReporterId::parse(&"ab".repeat(32)).unwrap(),
            channel: Channel {
                provider: Provider::Meta,
                number_id: "1".into(),
            },
        };
        Case::open(
            new,
            &Ladder::default(),
            &SlaPolicy::default(),
            at("2026-11-23T10:00:00+07:00"),
        )
        .0
    }

    fn ctx(tree: &Jurisdictions) -> MessageContext<'_> {
        MessageContext {
            tree,
            console_base_url: Some("https://aduan.example.go.id/"),
            offset: FixedOffset::east_opt(WIB_OFFSET_SECONDS).unwrap(),
        }
    }

    #[test]
    fn sweep_escalation_message() {
        let tree = Jurisdictions::bukittinggi();
        let mut case = case(
            "bukittinggi/mandiangin-koto-selayan/garegeh",
            "Jalan berlubang, hubungi saya 0812-3456-7890 ya",
        );
        let event = case
            .escalate(
                Escalation::default(),
                Actor::System,
                &Ladder::default(),
                &SlaPolicy::default(),
                at("2026-11-28T09:00:00+07:00"),
            )
            .unwrap();
        let m = escalation_message(&case, &event, &ctx(tree)).unwrap();
        assert_eq!(
            m.sms,
            "Aduan ESKALASI ADU-0042 ke kecamatan: Garegeh, pengaduan, 4 hari"
        );
        assert_eq!(m.default, m.sms);
        assert_eq!(m.subject, "[Aduan] Eskalasi ADU-0042 ke kecamatan - Garegeh");
        assert_eq!(
            m.attribute("jurisdiction"),
            Some("bukittinggi/mandiangin-koto-selayan/garegeh/")
        );
        assert_eq!(m.attribute("level"), Some("kecamatan"));
        assert_eq!(m.attribute("type"), Some("escalation"));
        assert!(m.email.contains("dari kelurahan ke kecamatan"), "{}", m.email);
        assert!(m
            .email
            .contains("Kel. Garegeh, Kec. Mandiangin Koto Selayan, Kota Bukittinggi"));
        assert!(m
            .email
            .contains(&format!("https://aduan.example.go.id/cases/{}", case.ticket)));
        assert!(m.email.contains("sistem"));
        assert!(!m.email.contains("3456"), "{}", m.email);
        assert!(m.email.contains("[nomor disembunyikan]"));
        let not = TimelineEvent::new(event.at, Actor::System, EventBody::Note { text: "x".into() });
        assert_eq!(escalation_message(&case, &not, &ctx(tree)), Err(NotAnEscalation));
    }

    #[test]
    fn a_hand_down_reaches_the_rt_and_everyone_above_it() {
        use crate::domain::disposition::{Destination, KnownUnits};
        let tree = Jurisdictions::bukittinggi();
        let kelurahan = "bukittinggi/mandiangin-koto-selayan/garegeh";
        let rt = JurisdictionPath::parse(&format!("{kelurahan}/rw-01/rt-02")).unwrap();
        let mut case = case(kelurahan, "Selokan tersumbat");
        let to = Destination::parse(rt.as_str(), tree, &KnownUnits::new([rt.clone()])).unwrap();
        let scope = JurisdictionPath::parse(kelurahan).unwrap();
        let lurah = Actor::Official {
            sub: "s".into(),
            name: "Lurah".into(),
        };
        let at = at("2026-11-24T09:00:00+07:00");
        let event = case
            .forward(
                &to,
                &scope,
                lurah,
                "warga RT 02".into(),
                &SlaPolicy::default(),
                at,
            )
            .unwrap();
        let m = escalation_message(&case, &event, &ctx(tree)).unwrap();
        assert_eq!(m.attribute("jurisdiction"), Some(format!("{rt}/").as_str()));
        assert_eq!(m.attribute("level"), Some("rt"));
        assert!(
            m.sms.starts_with("Aduan DIALIHKAN ADU-0042 ke RT 02 RW 01"),
            "{}",
            m.sms
        );
        assert!(
            m.email.contains("dialihkan dari Garegeh ke RT 02 RW 01"),
            "{}",
            m.email
        );
        assert!(m.email.contains("warga RT 02"));
        // Back up: the RT it came from hears it too; sideways: the new office.
        assert_eq!(forward_jurisdiction(&rt, &scope), &rt);
        let dlh = JurisdictionPath::parse("bukittinggi/dinas/dlh").unwrap();
        assert_eq!(forward_jurisdiction(&scope, &dlh), &dlh);

        // Past the RT's time the sweep takes it back up: the RT hears it
        // left them, and the kelurahan's prefix still matches; its next
        // escalation is the kelurahan's alone.
        let mut sweep = |days| {
            let event = case
                .escalate(
                    Default::default(),
                    Actor::System,
                    &crate::domain::ladder::Ladder::default(),
                    &SlaPolicy::default(),
                    at + chrono::Duration::days(days),
                )
                .unwrap();
            escalation_message(&case, &event, &ctx(tree)).unwrap()
        };
        let m = sweep(7);
        assert_eq!(m.attribute("jurisdiction"), Some(format!("{rt}/").as_str()));
        assert_eq!(m.attribute("level"), Some("kelurahan"));
        assert!(
            m.sms.starts_with("Aduan ESKALASI ADU-0042 ke kelurahan"),
            "{}",
            m.sms
        );
        let m = sweep(20);
        assert_eq!(
            m.attribute("jurisdiction"),
            Some(format!("{kelurahan}/").as_str())
        );
    }

    #[test]
    fn agency_escalations_go_to_the_agency() {
        let tree = Jurisdictions::bukittinggi();
        let mut case = case("bukittinggi/guguk-panjang/kayu-kubu", "Lampu mati");
        let pupr = JurisdictionPath::parse("bukittinggi/dinas/pupr").unwrap();
        let event = case
            .escalate(
                Escalation {
                    to: Some(Level::Agency("pupr".into())),
                    agency: Some(pupr),
                    reason: Some("jalan kota".into()),
                },
                Actor::Official {
                    sub: "s".into(),
                    name: "Rina".into(),
                },
                &Ladder::default(),
                &SlaPolicy::default(),
                at("2026-11-23T12:00:00+07:00"),
            )
            .unwrap();
        let m = escalation_message(&case, &event, &ctx(tree)).unwrap();
        assert_eq!(m.attribute("jurisdiction"), Some("bukittinggi/dinas/pupr/"));
        assert_eq!(m.attribute("level"), Some("dinas:pupr"));
        assert!(m.sms.contains("ke PUPR: Kayu Kubu"), "{}", m.sms);
        assert!(m.email.contains("petugas Rina") && m.email.contains("jalan kota"));
    }

    #[test]
    fn long_names_still_fit_one_sms() {
        let long = format!(
            r#"{{"kota": {{"name": "Kota Contoh", "slug": "contoh"}}, "kecamatan": [
            {{"name": "Utara", "slug": "utara", "kelurahan": [
              {{"name": "{}", "slug": "panjang"}}]}}]}}"#,
            "Kelurahan Yang Namanya Sangat Panjang Sekali [Ujung] {Baru} ".repeat(4)
        );
        let tree = Jurisdictions::from_json("t.json", &long).unwrap();
        let mut case = case("contoh/utara/panjang", "x");
        let event = case
            .escalate(
                Escalation::default(),
                Actor::System,
                &Ladder::default(),
                &SlaPolicy::default(),
                at("2026-11-28T09:00:00+07:00"),
            )
            .unwrap();
        let m = escalation_message(&case, &event, &ctx(&tree)).unwrap();
        let n = gsm7::len(&m.sms).unwrap();
        assert!(n <= 160, "{n}: {}", m.sms);
        assert!(
            m.sms
                .starts_with("Aduan ESKALASI ADU-0042 ke kecamatan: Kelurahan"),
            "{}",
            m.sms
        );
        assert!(m.subject.len() <= 100 && m.subject.is_ascii());
        assert_eq!(case.level, Level::Tier(Tier::Kecamatan));
    }

    #[test]
    fn the_summary_masks_before_it_cuts() {
        // The number straddles the cut: cut first, its first digits would show.
        let description = format!("{} 0812/3456/7890 lagi", "kata ".repeat(78));
        let s = summary(&description);
        assert!(!s.contains("0812"), "{s}");
        assert!(s.ends_with('…') && s.chars().count() <= DESCRIPTION_CHARS, "{s}");
        assert_eq!(
            summary("wa ٠٨١٢٣٤٥٦٧٨٩\n\n tgl 12/03/2026"),
            "wa [nomor disembunyikan] tgl 12/03/2026"
        );
        assert_eq!(summary(" \n "), "(tanpa teks)");
    }
}
