//! What a registered official's WhatsApp message asks for: one of the
//! desk's commands in Indonesian (`TERIMA ADU-0042`, `selesai adu 42 lampu
//! sdh diganti`), a tap on a notice's button (`off:verify:ADU-0042`), or
//! `LAPOR <teks>`, a report of their own as a citizen. Parsed here, pure;
//! the webhook carries the command out through the officials' API.

use crate::domain::jurisdiction::{JurisdictionPath, Jurisdictions, NodeKind, UnitNumber, UnitPath};
use crate::domain::ticket::Ticket;
use crate::whatsapp::InboundBody;

/// What an official does to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseCommand {
    /// `TERIMA`: verified, the report checked ("saring dan cek ricek").
    Verify,
    /// `TOLAK <alasan>`.
    Reject { reason: String },
    /// `PROSES`: work has started.
    Start,
    /// `SELESAI <catatan>`: resolved; the citizen reads the note.
    Resolve { note: String },
    /// `BALAS <pesan>`: relayed to the citizen.
    Reply { text: String },
    /// `TERUSKAN <tujuan> <alasan>`; without a destination, the list of
    /// places to choose from by number.
    Forward { to: Option<String>, reason: String },
    /// `NAIK`: escalated one tier up the ladder.
    Escalate,
    /// `INFO`: the case's detail.
    Info,
    /// `GABUNG <tiket tujuan>`: a duplicate of that case.
    Merge { into: Ticket },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfficialCommand {
    /// A command on a case: the ticket typed, or the notice replied to.
    Case {
        ticket: Option<Ticket>,
        command: CaseCommand,
    },
    /// `DAFTAR`: their open cases, most urgent first.
    List,
    /// `BANTUAN`, and anything the desk does not understand.
    Help,
    /// `LAPOR <teks>`: the official reports as a citizen.
    Report(String),
    /// A command whose required words are missing: which one, for the help.
    Incomplete(&'static str),
}

/// The button ids the notices carry: `off:<action>:<ticket>`.
pub const BUTTON_PREFIX: &str = "off:";
/// The morning digest's button: `DAFTAR`.
pub const LIST_BUTTON: &str = "off:list";

/// Reads an official's message. `replied_to` is the ticket of the notice
/// the message replies to (WhatsApp's reply context), if any.
pub fn parse(body: &InboundBody, replied_to: Option<&Ticket>) -> OfficialCommand {
    match (body, body.words()) {
        (InboundBody::Choice { id, .. }, _) => button(id).unwrap_or(OfficialCommand::Help),
        (_, Some(text)) => parse_text(text, replied_to),
        (_, None) => OfficialCommand::Help,
    }
}

fn button(id: &str) -> Option<OfficialCommand> {
    if id == LIST_BUTTON {
        return Some(OfficialCommand::List);
    }
    let (action, ticket) = id.strip_prefix(BUTTON_PREFIX)?.split_once(':')?;
    let ticket = Some(Ticket::parse(ticket).ok()?);
    let command = match action {
        "verify" => CaseCommand::Verify,
        "start" => CaseCommand::Start,
        "info" => CaseCommand::Info,
        _ => return None,
    };
    Some(OfficialCommand::Case { ticket, command })
}

fn parse_text(text: &str, replied_to: Option<&Ticket>) -> OfficialCommand {
    let text = text.trim();
    let (word, rest) = split_word(text);
    let verb = word.to_lowercase();
    let verb = verb.trim_end_matches([':', ',', '.', '!']);
    match verb {
        "lapor" => {
            return match rest.trim() {
                "" => OfficialCommand::Incomplete("lapor"),
                report => OfficialCommand::Report(report.to_owned()),
            }
        }
        "daftar" | "list" => return OfficialCommand::List,
        "bantuan" | "help" | "menu" | "?" => return OfficialCommand::Help,
        _ => {}
    }
    let Some(kind) = case_verb(verb) else {
        return OfficialCommand::Help;
    };
    let (ticket, rest) = ticket_and_rest(rest, replied_to);
    let words = rest.trim().to_owned();
    let command = match kind {
        "terima" => CaseCommand::Verify,
        "proses" => CaseCommand::Start,
        "naik" => CaseCommand::Escalate,
        "info" => CaseCommand::Info,
        "tolak" if words.is_empty() => return OfficialCommand::Incomplete("tolak"),
        "tolak" => CaseCommand::Reject { reason: words },
        "selesai" if words.is_empty() => return OfficialCommand::Incomplete("selesai"),
        "selesai" => CaseCommand::Resolve { note: words },
        "balas" if words.is_empty() => return OfficialCommand::Incomplete("balas"),
        "balas" => CaseCommand::Reply { text: words },
        "teruskan" => {
            let (to, reason) = split_word(&words);
            match (to, reason.trim()) {
                ("", _) => CaseCommand::Forward {
                    to: None,
                    reason: String::new(),
                },
                (_, "") => return OfficialCommand::Incomplete("teruskan"),
                (to, reason) => CaseCommand::Forward {
                    to: Some(to.to_owned()),
                    reason: reason.to_owned(),
                },
            }
        }
        "gabung" => match Ticket::parse(split_word(&words).0) {
            Ok(into) => CaseCommand::Merge { into },
            Err(_) => return OfficialCommand::Incomplete("gabung"),
        },
        _ => unreachable!("case_verb answers only these"),
    };
    OfficialCommand::Case { ticket, command }
}

/// A case command's name, as officials write it (with the common short forms).
fn case_verb(word: &str) -> Option<&'static str> {
    Some(match word {
        "terima" | "verifikasi" | "verif" | "trm" => "terima",
        "tolak" => "tolak",
        "proses" | "prosess" | "kerjakan" => "proses",
        "selesai" | "slsai" | "sls" | "beres" => "selesai",
        "balas" | "jawab" => "balas",
        "teruskan" | "terusin" | "alihkan" => "teruskan",
        "naik" | "naikkan" | "eskalasi" => "naik",
        "info" | "lihat" | "cek" => "info",
        "gabung" | "gabungkan" => "gabung",
        _ => return None,
    })
}

/// The ticket the words start with (`ADU-0042`, `adu 42`), else the one
/// the message replies to; and the words after it.
/// The case a photo is for: the ticket of the command in its caption
/// ("SELESAI ADU-0042 sdh diganti"), a ticket the caption begins with
/// ("adu 42 lampu sdh nyala"), else the notice it replies to.
pub fn photo_ticket(
    caption: Option<&str>,
    command: &OfficialCommand,
    replied_to: Option<&Ticket>,
) -> Option<Ticket> {
    match command {
        OfficialCommand::Case {
            ticket: Some(ticket), ..
        } => Some(ticket.clone()),
        _ => ticket_and_rest(caption.unwrap_or_default(), replied_to).0,
    }
}

fn ticket_and_rest<'a>(text: &'a str, replied_to: Option<&Ticket>) -> (Option<Ticket>, &'a str) {
    let (first, after_first) = split_word(text);
    if let Ok(ticket) = Ticket::parse(first) {
        return (Some(ticket), after_first);
    }
    // "adu 42": the prefix and the number as two words.
    let (second, after_second) = split_word(after_first);
    if !first.is_empty() && first.bytes().all(|b| b.is_ascii_alphabetic()) {
        if let Ok(ticket) = Ticket::parse(&format!("{first}-{second}")) {
            if second.bytes().all(|b| b.is_ascii_digit()) {
                return (Some(ticket), after_second);
            }
        }
    }
    (replied_to.cloned(), text)
}

fn split_word(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.find(char::is_whitespace) {
        Some(at) => (&text[..at], &text[at..]),
        None => (text, ""),
    }
}

/// Where `TERUSKAN` may send a case held at `holder` (in `kelurahan`), as
/// the numbered list an official chooses from: the kelurahan's RWs and
/// their RTs known to the unit directory (`units`, paths), the case's
/// kelurahan, kecamatan and kota above it, and the city's agencies. The
/// holder itself is left out. In the same order every time, so that a
/// number typed after the list names the same place.
pub fn forward_choices(
    tree: &Jurisdictions,
    kelurahan: &JurisdictionPath,
    holder: &JurisdictionPath,
    units: &[UnitPath],
) -> Vec<(String, String)> {
    let mut choices: Vec<(String, String)> = units
        .iter()
        .map(|u| (u.path().as_str().to_owned(), u.display_name()))
        .collect();
    for path in kelurahan.lineage().into_iter().rev() {
        if let Some(node) = tree.node(&path) {
            choices.push((path.as_str().to_owned(), node.display_name()));
        }
    }
    for agency in tree.agencies() {
        choices.push((format!("dinas:{}", agency.slug()), agency.display_name()));
    }
    choices.retain(|(path, _)| path != holder.as_str());
    choices
}

/// The destination an official typed, as the API's `to` (a path or
/// `dinas:<slug>`): a number from [`forward_choices`], `rw4` / `rw-04`
/// / `rt2-rw4` style units of the case's kelurahan, `kelurahan`,
/// `kecamatan`, `kota` (the case's own), an agency's short name or slug,
/// or a path as the API takes it.
pub fn destination(
    typed: &str,
    tree: &Jurisdictions,
    kelurahan: &JurisdictionPath,
    choices: &[(String, String)],
) -> Option<String> {
    let typed = typed.trim().to_lowercase();
    if let Ok(n) = typed.parse::<usize>() {
        return n
            .checked_sub(1)
            .and_then(|i| choices.get(i))
            .map(|(to, _)| to.clone());
    }
    let up = |kind: NodeKind| {
        kelurahan
            .lineage()
            .into_iter()
            .find(|p| tree.node(p).is_some_and(|n| n.kind == kind))
            .map(|p| p.as_str().to_owned())
    };
    match typed.as_str() {
        "kelurahan" | "kel" | "lurah" => return up(NodeKind::Kelurahan),
        "kecamatan" | "kec" | "camat" => return up(NodeKind::Kecamatan),
        "kota" | "walikota" | "pemko" => return up(NodeKind::Kota),
        _ => {}
    }
    if let Some(unit) = unit_of(&typed, kelurahan) {
        return Some(unit.path().as_str().to_owned());
    }
    let agency_name = typed
        .strip_prefix("dinas")
        .unwrap_or(&typed)
        .trim_matches(['-', ':', ' ']);
    if let Some(agency) = tree.agencies().find(|a| {
        a.slug() == agency_name
            || a.short
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(agency_name))
    }) {
        return Some(format!("dinas:{}", agency.slug()));
    }
    Some(typed)
}

/// `rw4`, `rw-04`, `rt2-rw4`, `rw4/rt2`, `rt02rw04` within `kelurahan`.
fn unit_of(typed: &str, kelurahan: &JurisdictionPath) -> Option<UnitPath> {
    let number_after = |key: &str| -> Option<UnitNumber> {
        let at = typed.find(key)? + key.len();
        let digits: String = typed[at..]
            .trim_start_matches(['-', '.', ' ', ':'])
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        UnitNumber::parse(&digits).ok()
    };
    let rw = number_after("rw")?;
    let unit = match number_after("rt") {
        Some(rt) => UnitPath::rt(kelurahan.clone(), rw, rt),
        None => UnitPath::rw(kelurahan.clone(), rw),
    };
    Some(unit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::timeline::MessageContent;

    fn text(body: &str) -> InboundBody {
        InboundBody::Content(MessageContent::Text { body: body.into() })
    }

    fn on(ticket: &str, command: CaseCommand) -> OfficialCommand {
        OfficialCommand::Case {
            ticket: Some(Ticket::parse(ticket).unwrap()),
            command,
        }
    }

    #[test]
    fn a_photo_is_for_the_ticket_its_caption_names_or_the_notice_it_answers() {
        let photo = |caption: Option<&str>, replied: Option<&str>| {
            let replied = replied.map(|t| Ticket::parse(t).unwrap());
            let body = InboundBody::Content(MessageContent::Media {
                media_type: crate::domain::timeline::MediaType::Image,
                media_id: "m".into(),
                mime_type: None,
                caption: caption.map(str::to_owned),
                url: None,
            });
            let command = parse(&body, replied.as_ref());
            photo_ticket(caption, &command, replied.as_ref()).map(|t| t.to_string())
        };
        let adu42 = Some("ADU-0042".to_owned());
        assert_eq!(photo(Some("selesai adu-42 lampu sdh diganti"), None), adu42);
        assert_eq!(photo(Some("adu 42 sdh nyala pak"), None), adu42);
        assert_eq!(photo(Some("ADU-0042"), None), adu42);
        assert_eq!(photo(Some("sdh diganti pak"), Some("ADU-0042")), adu42);
        assert_eq!(photo(None, Some("ADU-0042")), adu42);
        assert_eq!(photo(Some("SELESAI ADU-0042 beres"), Some("ADU-0007")), adu42);
        assert_eq!(photo(Some("sdh diganti pak"), None), None);
        assert_eq!(photo(None, None), None);
    }

    #[test]
    fn commands_as_officials_type_them() {
        assert_eq!(
            parse(&text("TERIMA ADU-0042"), None),
            on("ADU-0042", CaseCommand::Verify)
        );
        assert_eq!(
            parse(&text("terima adu 42"), None),
            on("ADU-0042", CaseCommand::Verify)
        );
        assert_eq!(
            parse(&text("Proses adu42"), None),
            on("ADU-0042", CaseCommand::Start)
        );
        assert_eq!(
            parse(&text("selesai ADU-7 lampu sdh diganti pak, trims"), None),
            on(
                "ADU-0007",
                CaseCommand::Resolve {
                    note: "lampu sdh diganti pak, trims".into()
                }
            )
        );
        assert_eq!(
            parse(&text("TOLAK ADU-0042 bukan wilayah kami"), None),
            on(
                "ADU-0042",
                CaseCommand::Reject {
                    reason: "bukan wilayah kami".into()
                }
            )
        );
        assert_eq!(
            parse(&text("balas adu-42 Besok pagi petugas datang ya Bu"), None),
            on(
                "ADU-0042",
                CaseCommand::Reply {
                    text: "Besok pagi petugas datang ya Bu".into()
                }
            )
        );
        assert_eq!(
            parse(&text("TERUSKAN ADU-0042 rw4 lokasi di RW 04"), None),
            on(
                "ADU-0042",
                CaseCommand::Forward {
                    to: Some("rw4".into()),
                    reason: "lokasi di RW 04".into()
                }
            )
        );
        assert_eq!(
            parse(&text("teruskan ADU-0042"), None),
            on(
                "ADU-0042",
                CaseCommand::Forward {
                    to: None,
                    reason: String::new()
                }
            )
        );
        assert_eq!(
            parse(&text("naik ADU-0042"), None),
            on("ADU-0042", CaseCommand::Escalate)
        );
        assert_eq!(
            parse(&text("gabung ADU-0043 ADU-0042"), None),
            on(
                "ADU-0043",
                CaseCommand::Merge {
                    into: Ticket::parse("ADU-0042").unwrap()
                }
            )
        );
        assert_eq!(parse(&text("DAFTAR"), None), OfficialCommand::List);
        assert_eq!(parse(&text("Assalamualaikum pak"), None), OfficialCommand::Help);
        assert_eq!(
            parse(&text("LAPOR got mampet di depan rumah sy"), None),
            OfficialCommand::Report("got mampet di depan rumah sy".into())
        );
    }

    #[test]
    fn missing_words_are_named_not_guessed() {
        assert_eq!(
            parse(&text("selesai ADU-0042"), None),
            OfficialCommand::Incomplete("selesai")
        );
        assert_eq!(
            parse(&text("tolak adu 42"), None),
            OfficialCommand::Incomplete("tolak")
        );
        assert_eq!(
            parse(&text("teruskan adu 42 rw4"), None),
            OfficialCommand::Incomplete("teruskan")
        );
        assert_eq!(
            parse(&text("gabung adu 42"), None),
            OfficialCommand::Incomplete("gabung")
        );
        assert_eq!(parse(&text("lapor"), None), OfficialCommand::Incomplete("lapor"));
        // No ticket and no notice replied to: the case is unknown.
        assert_eq!(
            parse(&text("terima"), None),
            OfficialCommand::Case {
                ticket: None,
                command: CaseCommand::Verify
            }
        );
    }

    #[test]
    fn a_reply_to_a_notice_acts_on_its_case() {
        let notice = Ticket::parse("ADU-0042").unwrap();
        assert_eq!(
            parse(&text("selesai sdh dibersihkan"), Some(&notice)),
            on(
                "ADU-0042",
                CaseCommand::Resolve {
                    note: "sdh dibersihkan".into()
                }
            )
        );
        // A ticket typed wins over the notice's.
        assert_eq!(
            parse(&text("terima ADU-0050"), Some(&notice)),
            on("ADU-0050", CaseCommand::Verify)
        );
        let tap = InboundBody::Choice {
            id: "off:start:ADU-0042".into(),
            title: "Proses".into(),
        };
        assert_eq!(parse(&tap, None), on("ADU-0042", CaseCommand::Start));
        let digest_tap = InboundBody::Choice {
            id: LIST_BUTTON.into(),
            title: "Daftar".into(),
        };
        assert_eq!(parse(&digest_tap, None), OfficialCommand::List);
        let foreign = InboundBody::Choice {
            id: "kec:1".into(),
            title: "x".into(),
        };
        assert_eq!(parse(&foreign, None), OfficialCommand::Help);
    }

    #[test]
    fn destinations_as_typed() {
        let tree = Jurisdictions::bukittinggi();
        let kel = tree.all_kelurahan().next().unwrap().path.clone();
        let rw4 = UnitPath::rw(kel.clone(), UnitNumber::parse("4").unwrap());
        let rt2 = UnitPath::rt(
            kel.clone(),
            UnitNumber::parse("4").unwrap(),
            UnitNumber::parse("2").unwrap(),
        );
        let choices = forward_choices(tree, &kel, &kel, &[rw4.clone(), rt2.clone()]);
        assert_eq!(choices[0].0, rw4.path().as_str());
        assert!(
            !choices.iter().any(|(p, _)| p == kel.as_str()),
            "the holder is not offered"
        );
        let to = |typed| destination(typed, tree, &kel, &choices);
        assert_eq!(to("1").as_deref(), Some(rw4.path().as_str()));
        assert_eq!(to("99"), None);
        assert_eq!(to("rw4").as_deref(), Some(rw4.path().as_str()));
        assert_eq!(to("RW-04").as_deref(), Some(rw4.path().as_str()));
        assert_eq!(to("rt2-rw4").as_deref(), Some(rt2.path().as_str()));
        assert_eq!(to("rw04/rt02").as_deref(), Some(rt2.path().as_str()));
        let kecamatan = kel.parent().unwrap();
        assert_eq!(to("kecamatan").as_deref(), Some(kecamatan.as_str()));
        let agency = tree.agencies().next().unwrap();
        let short = agency.short.clone().unwrap_or_else(|| agency.slug().to_owned());
        assert_eq!(
            to(&short.to_lowercase()),
            Some(format!("dinas:{}", agency.slug()))
        );
    }
}
