//! Every sentence a citizen reads (and the words of officials' WhatsApp
//! notices), in Bahasa Indonesia, from one file a city
//! can edit (`config/texts/id.json`, compiled in; `TEXTS_FILE` overrides it).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

mod officials;
pub use officials::OfficialTexts;

use crate::domain::kind::CaseKind;
use crate::domain::ladder::Level;
use crate::domain::lifecycle::Status;

const SHIPPED: &str = include_str!("../../../config/texts/id.json");
const SHIPPED_NAME: &str = "config/texts/id.json";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    #[serde(rename = "_note", default)]
    _note: String,
    pub ack_new: String,
    pub ack_forwarded: String,
    pub ack_elsewhere: String,
    pub welcome: String,
    pub ask_kecamatan: String,
    pub ask_kelurahan: String,
    /// The button that opens the list of kelurahan (of kecamatan, below).
    pub list_button: String,
    pub list_button_kecamatan: String,
    pub not_recognised: String,
    pub kelurahan_set: String,
    pub status_none: String,
    pub status_header: String,
    pub status_line: String,
    /// `STATUS`: a case merged into another, shown with that case.
    pub status_line_merged: String,
    pub status_one: String,
    /// `STATUS` of a case merged into another; a city's file written before
    /// it existed reads the shipped sentence.
    #[serde(default = "shipped_status_one_merged")]
    pub status_one_merged: String,
    pub not_found: String,
    pub bad_ticket: String,
    pub withdrawn: String,
    pub cannot_withdraw: String,
    pub new_prompt: String,
    pub help: String,
    pub unsupported: String,
    pub confirm_question: String,
    pub confirm_yes_button: String,
    pub confirm_no_button: String,
    pub confirm_again: String,
    pub confirm_yes: String,
    pub confirm_no: String,
    pub confirm_no_open: String,
    pub confirm_no_closed: String,
    pub rating_question: String,
    pub rating_button: String,
    pub rating_labels: [String; 5],
    pub rating_thanks: String,
    pub verified: String,
    pub rejected: String,
    pub in_progress: String,
    pub escalated: String,
    pub forwarded: String,
    pub closed_outside_authority: String,
    pub closed_no_further_action: String,
    pub official_message: String,
    pub merged: String,
    pub unmerged: String,
    pub answered: String,
    pub ack_question: String,
    pub followup_received: String,
    pub new_or_addition_old: String,
    pub new_or_addition_resolved: String,
    pub addition_button: String,
    pub new_report_button: String,
    pub auto_closed: String,
    pub limit_messages: String,
    pub limit_new_cases: String,
    pub limit_open_cases: String,
    pub stopped: String,
    pub resumed: String,
    /// The line on what is kept and why, added to the first reply to a new citizen.
    pub privacy_line: String,
    pub privacy: String,
    pub my_data_header: String,
    pub my_data_line: String,
    pub my_data_none: String,
    pub my_data_contact: String,
    pub erase_question: String,
    pub erase_yes_button: String,
    pub erase_no_button: String,
    pub erase_cancelled: String,
    pub erased: String,
    pub erased_files_kept: String,
    /// What officials read on WhatsApp; the shipped sentences when a
    /// city's file has none.
    #[serde(default)]
    pub officials: OfficialTexts,
    status_names: BTreeMap<String, String>,
    kind_names: BTreeMap<String, String>,
    level_names: BTreeMap<String, String>,
    /// The words of an official's notice (the template's parameters). A
    /// city's texts file written before they existed gets the shipped ones.
    #[serde(default = "OfficialNoticeTexts::shipped")]
    pub official_notice: OfficialNoticeTexts,
    /// The words of an official's morning digest on WhatsApp (the
    /// template's parameters); the shipped ones when a city's file has none.
    #[serde(default = "OfficialDigestTexts::shipped")]
    pub official_digest: OfficialDigestTexts,
}

/// What an official's WhatsApp notice says in its own words: why the case
/// reached them, what stands for a missing category or deadline, and the
/// cases that may be the same problem.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficialNoticeTexts {
    pub new: String,
    pub forwarded: String,
    pub escalated: String,
    pub no_category: String,
    pub no_deadline: String,
    /// Names the suggested duplicates (`{tickets}`) and the `GABUNG` that
    /// merges the later (`{merged}`) of the case and the first of them into
    /// the earlier (`{into}`). Added later, so a city's file without it
    /// gets the shipped words.
    #[serde(default = "OfficialNoticeTexts::shipped_similar")]
    pub similar: String,
    #[serde(default = "OfficialNoticeTexts::shipped_no_similar")]
    pub no_similar: String,
}

impl OfficialNoticeTexts {
    fn shipped() -> Self {
        shipped_part("official_notice")
    }

    fn shipped_similar() -> String {
        Self::shipped().similar
    }

    fn shipped_no_similar() -> String {
        Self::shipped().no_similar
    }
}

/// What an official's morning digest on WhatsApp says in its own words:
/// a most urgent ticket that is overdue, and what stands for none.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficialDigestTexts {
    pub overdue_ticket: String,
    pub none_urgent: String,
}

impl OfficialDigestTexts {
    fn shipped() -> Self {
        shipped_part("official_digest")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TextsError {
    #[error("{file}: {reason}")]
    Invalid { file: String, reason: String },
}

impl Texts {
    /// The texts that ship with Aduan.
    pub fn shipped() -> Self {
        Self::from_json(SHIPPED_NAME, SHIPPED).expect("the shipped texts are valid (tested)")
    }

    pub fn load(path: &Path) -> Result<Self, TextsError> {
        let file = path.display().to_string();
        let json = std::fs::read_to_string(path).map_err(|e| TextsError::Invalid {
            file: file.clone(),
            reason: e.to_string(),
        })?;
        Self::from_json(&file, &json)
    }

    pub fn from_json(file: &str, json: &str) -> Result<Self, TextsError> {
        let invalid = |reason: String| TextsError::Invalid {
            file: file.to_owned(),
            reason,
        };
        let texts: Texts = serde_json::from_str(json).map_err(|e| invalid(e.to_string()))?;
        for status in Status::ALL {
            if !texts.status_names.contains_key(status.as_str()) {
                return Err(invalid(format!("status_names has no entry for \"{status}\"")));
            }
        }
        for kind in CaseKind::ALL {
            if !texts.kind_names.contains_key(kind.as_str()) {
                return Err(invalid(format!("kind_names has no entry for \"{kind}\"")));
            }
        }
        for level in ["rt", "rw", "kelurahan", "kecamatan", "kota", "dinas"] {
            if !texts.level_names.contains_key(level) {
                return Err(invalid(format!("level_names has no entry for \"{level}\"")));
            }
        }
        for (name, template, allowed) in texts.templates().into_iter().chain(texts.officials.templates()) {
            if let Some(unknown) = placeholders(template).find(|p| !allowed.contains(p)) {
                return Err(invalid(format!(
                    "{name} uses {{{unknown}}}, which is not filled in there (allowed: {})",
                    allowed.join(", ")
                )));
            }
        }
        Ok(texts)
    }

    /// Each template and the placeholders the code fills in for it.
    fn templates(&self) -> Vec<(&'static str, &str, &'static [&'static str])> {
        const TICKET: &[&str] = &["ticket"];
        vec![
            ("ack_new", &self.ack_new, &["ticket", "kind"]),
            ("ack_forwarded", &self.ack_forwarded, &["area"]),
            ("ack_elsewhere", &self.ack_elsewhere, &["area", "kecamatan"]),
            ("welcome", &self.welcome, &[]),
            ("kelurahan_set", &self.kelurahan_set, &["ticket", "area"]),
            (
                "status_line",
                &self.status_line,
                &["ticket", "kind", "date", "status"],
            ),
            (
                "status_line_merged",
                &self.status_line_merged,
                &["ticket", "kind", "date", "into", "status"],
            ),
            (
                "status_one",
                &self.status_one,
                &["ticket", "kind", "date", "status", "area"],
            ),
            (
                "status_one_merged",
                &self.status_one_merged,
                &["ticket", "kind", "date", "into"],
            ),
            ("not_found", &self.not_found, TICKET),
            ("withdrawn", &self.withdrawn, TICKET),
            ("cannot_withdraw", &self.cannot_withdraw, &["ticket", "status"]),
            ("confirm_question", &self.confirm_question, &["ticket", "note"]),
            ("confirm_again", &self.confirm_again, TICKET),
            ("confirm_yes", &self.confirm_yes, TICKET),
            ("confirm_no", &self.confirm_no, TICKET),
            ("confirm_no_open", &self.confirm_no_open, TICKET),
            ("confirm_no_closed", &self.confirm_no_closed, TICKET),
            ("rating_question", &self.rating_question, TICKET),
            ("rating_thanks", &self.rating_thanks, &["rating"]),
            ("verified", &self.verified, TICKET),
            ("rejected", &self.rejected, &["ticket", "reason"]),
            ("in_progress", &self.in_progress, TICKET),
            ("escalated", &self.escalated, &["ticket", "office"]),
            ("forwarded", &self.forwarded, &["ticket", "office"]),
            (
                "closed_outside_authority",
                &self.closed_outside_authority,
                &["ticket", "reason", "office"],
            ),
            (
                "closed_no_further_action",
                &self.closed_no_further_action,
                &["ticket", "reason"],
            ),
            ("official_message", &self.official_message, &["ticket", "text"]),
            ("merged", &self.merged, &["ticket", "into"]),
            ("unmerged", &self.unmerged, &["ticket", "into", "status"]),
            ("answered", &self.answered, &["ticket", "answer"]),
            ("ack_question", &self.ack_question, TICKET),
            ("followup_received", &self.followup_received, TICKET),
            (
                "new_or_addition_old",
                &self.new_or_addition_old,
                &["ticket", "days"],
            ),
            ("new_or_addition_resolved", &self.new_or_addition_resolved, TICKET),
            ("auto_closed", &self.auto_closed, TICKET),
            ("limit_messages", &self.limit_messages, &["limit"]),
            ("limit_new_cases", &self.limit_new_cases, &["limit"]),
            ("limit_open_cases", &self.limit_open_cases, &["limit"]),
            ("ask_kecamatan", &self.ask_kecamatan, &[]),
            ("ask_kelurahan", &self.ask_kelurahan, &[]),
            ("not_recognised", &self.not_recognised, &[]),
            ("status_none", &self.status_none, &[]),
            ("status_header", &self.status_header, &[]),
            ("bad_ticket", &self.bad_ticket, &[]),
            ("new_prompt", &self.new_prompt, &[]),
            ("help", &self.help, &[]),
            ("stopped", &self.stopped, &[]),
            ("resumed", &self.resumed, &[]),
            ("privacy_line", &self.privacy_line, &[]),
            ("privacy", &self.privacy, &["dpo", "contact_days", "media_days"]),
            ("my_data_header", &self.my_data_header, &[]),
            (
                "my_data_line",
                &self.my_data_line,
                &["ticket", "kind", "date", "status"],
            ),
            ("my_data_none", &self.my_data_none, &[]),
            ("my_data_contact", &self.my_data_contact, &["days"]),
            ("erase_question", &self.erase_question, &[]),
            ("erase_cancelled", &self.erase_cancelled, &[]),
            ("erased", &self.erased, &[]),
            ("erased_files_kept", &self.erased_files_kept, &["tickets"]),
            ("unsupported", &self.unsupported, &[]),
            ("official_notice.new", &self.official_notice.new, &[]),
            (
                "official_notice.forwarded",
                &self.official_notice.forwarded,
                &["office"],
            ),
            (
                "official_notice.escalated",
                &self.official_notice.escalated,
                &["office"],
            ),
            (
                "official_notice.no_category",
                &self.official_notice.no_category,
                &[],
            ),
            (
                "official_notice.no_deadline",
                &self.official_notice.no_deadline,
                &[],
            ),
            (
                "official_notice.similar",
                &self.official_notice.similar,
                &["tickets", "merged", "into"],
            ),
            (
                "official_notice.no_similar",
                &self.official_notice.no_similar,
                &[],
            ),
            (
                "official_digest.overdue_ticket",
                &self.official_digest.overdue_ticket,
                &["ticket", "days"],
            ),
            (
                "official_digest.none_urgent",
                &self.official_digest.none_urgent,
                &[],
            ),
        ]
    }

    pub fn status_name(&self, status: Status) -> &str {
        &self.status_names[status.as_str()]
    }

    pub fn kind_name(&self, kind: CaseKind) -> &str {
        &self.kind_names[kind.as_str()]
    }

    pub fn level_name(&self, level: &Level) -> &str {
        let key = level.tier().map_or("dinas", |t| t.as_str());
        &self.level_names[key]
    }
}

fn shipped_status_one_merged() -> String {
    shipped_part("status_one_merged")
}

/// One entry of the shipped file: what a city's file written before the
/// entry existed reads instead.
fn shipped_part<T: serde::de::DeserializeOwned>(key: &str) -> T {
    let mut shipped: serde_json::Value = serde_json::from_str(SHIPPED).expect("the shipped texts are JSON");
    serde_json::from_value(shipped[key].take()).expect("the shipped texts are valid (tested)")
}

fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// Fills `{name}` placeholders. Values are inserted as they are, never re-read
/// as templates, so a citizen's text cannot inject a placeholder.
pub fn render(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.split_once('}') {
            Some((name, tail)) if values.iter().any(|(k, _)| *k == name) => {
                let value = values
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| *v)
                    .unwrap_or_default();
                out.push_str(value);
                rest = tail;
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_texts_are_complete_and_fill_in() {
        let texts = Texts::shipped();
        let ack = render(&texts.ack_new, &[("ticket", "ADU-0042"), ("kind", "pengaduan")]);
        assert!(ack.contains("ADU-0042") && ack.contains("rahasia"));
        assert!(!ack.contains('{'));
        assert_eq!(texts.status_name(Status::InProgress), "sedang ditindaklanjuti");
        assert_eq!(texts.level_name(&Level::Agency("pupr".into())), "dinas terkait");
    }

    #[test]
    fn a_texts_file_without_the_officials_notice_words_gets_the_shipped_ones() {
        let mut json: serde_json::Value = serde_json::from_str(SHIPPED).unwrap();
        json.as_object_mut().unwrap().remove("official_notice");
        json.as_object_mut().unwrap().remove("official_digest");
        let texts = Texts::from_json("kota.json", &json.to_string()).unwrap();
        assert_eq!(texts.official_notice.new, Texts::shipped().official_notice.new);
        assert_eq!(
            texts.official_digest.none_urgent,
            Texts::shipped().official_digest.none_urgent
        );
        json["official_notice"] = serde_json::json!({
            "new": "baru", "forwarded": "dari {kantor}", "escalated": "naik",
            "no_category": "-", "no_deadline": "-"
        });
        let err = Texts::from_json("kota.json", &json.to_string())
            .unwrap_err()
            .to_string();
        assert!(err.contains("official_notice.forwarded uses {kantor}"), "{err}");
        // A city's section written before the duplicates were named.
        json["official_notice"]["forwarded"] = "dari {office}".into();
        let texts = Texts::from_json("kota.json", &json.to_string()).unwrap();
        assert_eq!(texts.official_notice.new, "baru");
        assert_eq!(
            texts.official_notice.similar,
            Texts::shipped().official_notice.similar
        );
        assert_eq!(texts.official_notice.no_similar, "tidak ada");
    }

    #[test]
    fn render_does_not_reinterpret_values() {
        assert_eq!(render("a {x} b {y}", &[("x", "{y}"), ("y", "2")]), "a {y} b 2");
        assert_eq!(render("{unknown} {x", &[("x", "1")]), "{unknown} {x");
    }

    #[test]
    fn a_bad_texts_file_names_the_file_and_the_problem() {
        let mut json: serde_json::Value = serde_json::from_str(SHIPPED).unwrap();
        json["withdrawn"] = "Laporan {tiket} dibatalkan".into();
        let err = Texts::from_json("kota.json", &json.to_string())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("kota.json: withdrawn uses {tiket}"), "{err}");
        json["withdrawn"] = "ok".into();
        json["status_names"].as_object_mut().unwrap().remove("closed");
        let err = Texts::from_json("kota.json", &json.to_string())
            .unwrap_err()
            .to_string();
        assert!(err.contains("closed"), "{err}");
        json.as_object_mut().unwrap().remove("help");
        let err = Texts::from_json("kota.json", &json.to_string())
            .unwrap_err()
            .to_string();
        assert!(err.contains("help"), "{err}");
    }
}
