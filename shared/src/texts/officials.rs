//! What the desk answers a registered official on WhatsApp, in Bahasa
//! Indonesia: the `officials` object of the texts file. A city's own texts
//! file may leave it out (its officials then read the shipped sentences).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficialTexts {
    pub confirmed: String,
    pub code_needed: String,
    pub code_expired: String,
    pub help: String,
    pub usage_tolak: String,
    pub usage_selesai: String,
    pub usage_balas: String,
    pub usage_teruskan: String,
    pub usage_gabung: String,
    pub usage_lapor: String,
    pub no_ticket: String,
    pub not_found: String,
    pub read_only: String,
    pub verified: String,
    pub started: String,
    pub rejected: String,
    pub resolved: String,
    pub replied: String,
    pub forwarded: String,
    pub escalated: String,
    pub merged: String,
    pub citizen_told: String,
    pub citizen_later: String,
    pub citizen_not_reachable: String,
    pub not_now: String,
    pub changed_meanwhile: String,
    pub refused: String,
    pub unknown_destination: String,
    pub choices_header: String,
    pub choice_line: String,
    pub info: String,
    pub info_duplicates: String,
    pub info_duplicate_line: String,
    pub list_header: String,
    pub list_line: String,
    pub list_none: String,
    // Added after the first cities' files: theirs read the shipped ones.
    /// A photo of the work kept, and to be shown to the citizen.
    #[serde(default = "shipped_photo_kept")]
    pub photo_kept: String,
    /// Kept, but it could not be readied for the citizen.
    #[serde(default = "shipped_photo_kept_only")]
    pub photo_kept_only: String,
    /// A photo naming no case.
    #[serde(default = "shipped_photo_no_ticket")]
    pub photo_no_ticket: String,
    /// A video or document of the work kept (only photos go to the citizen).
    #[serde(default = "shipped_file_kept")]
    pub file_kept: String,
    /// A video or document naming no case.
    #[serde(default = "shipped_file_no_ticket")]
    pub file_no_ticket: String,
}

/// One sentence of the shipped `officials` object.
fn shipped_sentence(key: &str) -> String {
    let officials: serde_json::Value = super::shipped_part("officials");
    officials[key]
        .as_str()
        .expect("the shipped texts have every sentence (tested)")
        .to_owned()
}

fn shipped_photo_kept() -> String {
    shipped_sentence("photo_kept")
}

fn shipped_photo_kept_only() -> String {
    shipped_sentence("photo_kept_only")
}

fn shipped_photo_no_ticket() -> String {
    shipped_sentence("photo_no_ticket")
}

fn shipped_file_kept() -> String {
    shipped_sentence("file_kept")
}

fn shipped_file_no_ticket() -> String {
    shipped_sentence("file_no_ticket")
}

impl Default for OfficialTexts {
    fn default() -> Self {
        super::shipped_part("officials")
    }
}

impl OfficialTexts {
    /// Each sentence and the placeholders filled in for it.
    pub(super) fn templates(&self) -> Vec<(&'static str, &str, &'static [&'static str])> {
        const TICKET: &[&str] = &["ticket"];
        vec![
            ("officials.confirmed", &self.confirmed, &["name", "scope"]),
            ("officials.code_needed", &self.code_needed, &["left"]),
            ("officials.code_expired", &self.code_expired, &[]),
            ("officials.help", &self.help, &[]),
            ("officials.usage_tolak", &self.usage_tolak, &[]),
            ("officials.usage_selesai", &self.usage_selesai, &[]),
            ("officials.usage_balas", &self.usage_balas, &[]),
            ("officials.usage_teruskan", &self.usage_teruskan, &[]),
            ("officials.usage_gabung", &self.usage_gabung, &[]),
            ("officials.usage_lapor", &self.usage_lapor, &[]),
            ("officials.no_ticket", &self.no_ticket, &[]),
            ("officials.not_found", &self.not_found, TICKET),
            ("officials.read_only", &self.read_only, &[]),
            ("officials.verified", &self.verified, &["ticket", "told"]),
            ("officials.started", &self.started, &["ticket", "told"]),
            ("officials.rejected", &self.rejected, &["ticket", "told"]),
            ("officials.resolved", &self.resolved, &["ticket", "told"]),
            ("officials.replied", &self.replied, &["ticket", "told"]),
            ("officials.forwarded", &self.forwarded, &["ticket", "to", "told"]),
            ("officials.escalated", &self.escalated, &["ticket", "to"]),
            ("officials.merged", &self.merged, &["ticket", "into"]),
            ("officials.citizen_told", &self.citizen_told, &[]),
            ("officials.citizen_later", &self.citizen_later, &[]),
            (
                "officials.citizen_not_reachable",
                &self.citizen_not_reachable,
                &[],
            ),
            ("officials.not_now", &self.not_now, &["ticket", "status"]),
            ("officials.changed_meanwhile", &self.changed_meanwhile, TICKET),
            ("officials.refused", &self.refused, &["ticket", "reason"]),
            (
                "officials.unknown_destination",
                &self.unknown_destination,
                &["ticket", "to"],
            ),
            ("officials.choices_header", &self.choices_header, TICKET),
            ("officials.choice_line", &self.choice_line, &["number", "name"]),
            (
                "officials.info",
                &self.info,
                &[
                    "ticket", "kind", "status", "area", "category", "due", "level", "text",
                ],
            ),
            ("officials.info_duplicates", &self.info_duplicates, TICKET),
            (
                "officials.info_duplicate_line",
                &self.info_duplicate_line,
                &["other", "status", "text"],
            ),
            ("officials.list_header", &self.list_header, &[]),
            (
                "officials.list_line",
                &self.list_line,
                &["ticket", "status", "due", "text"],
            ),
            ("officials.list_none", &self.list_none, &[]),
            ("officials.photo_kept", &self.photo_kept, TICKET),
            ("officials.photo_kept_only", &self.photo_kept_only, TICKET),
            ("officials.photo_no_ticket", &self.photo_no_ticket, &[]),
            ("officials.file_kept", &self.file_kept, TICKET),
            ("officials.file_no_ticket", &self.file_no_ticket, &[]),
        ]
    }
}
