//! The approved WhatsApp templates a notice goes as outside the 24-hour
//! window: one per notice, each with its own parameters (the ticket, the
//! office, a short note), so the citizen never reads a sentence twice.
//! `docs/whatsapp-templates.md` lists each as it must be submitted to Meta;
//! a test keeps the two in step.

use crate::domain::citizen_text::excerpt;

/// The notices that can fall outside the window, each its own template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    Verified,
    Rejected,
    InProgress,
    Escalated,
    ConfirmSolved,
    /// The same question with the official's photo of the work in its
    /// header: sent inside the window too, the one message that shows it.
    ConfirmSolvedPhoto,
    OfficialMessage,
    Answered,
    AutoClosed,
}

/// What a template's parameter is filled with, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    Ticket,
    /// The office that has the case now ("Kecamatan Guguk Panjang").
    Office,
    /// The reason, the official's note or words, on one line, cut at a word.
    Note,
}

/// A note in a template is cut to this, so the body stays under Meta's
/// 1,024 characters whatever the official wrote (up to 2,000).
pub const NOTE_CHARS: usize = 600;

impl TemplateKind {
    /// Every kind, in the order declared (names are kept in this order).
    pub const ALL: [TemplateKind; 9] = [
        TemplateKind::Verified,
        TemplateKind::Rejected,
        TemplateKind::InProgress,
        TemplateKind::Escalated,
        TemplateKind::ConfirmSolved,
        TemplateKind::ConfirmSolvedPhoto,
        TemplateKind::OfficialMessage,
        TemplateKind::Answered,
        TemplateKind::AutoClosed,
    ];

    pub fn default_name(self) -> &'static str {
        match self {
            TemplateKind::Verified => "aduan_verified",
            TemplateKind::Rejected => "aduan_rejected",
            TemplateKind::InProgress => "aduan_in_progress",
            TemplateKind::Escalated => "aduan_escalated",
            TemplateKind::ConfirmSolved => "aduan_confirm_solved",
            TemplateKind::ConfirmSolvedPhoto => "aduan_confirm_solved_photo",
            TemplateKind::OfficialMessage => "aduan_official_message",
            TemplateKind::Answered => "aduan_answered",
            TemplateKind::AutoClosed => "aduan_auto_closed",
        }
    }

    /// The variable a city sets when it registered another name.
    pub fn variable(self) -> &'static str {
        match self {
            TemplateKind::Verified => "WHATSAPP_TEMPLATE_VERIFIED",
            TemplateKind::Rejected => "WHATSAPP_TEMPLATE_REJECTED",
            TemplateKind::InProgress => "WHATSAPP_TEMPLATE_IN_PROGRESS",
            TemplateKind::Escalated => "WHATSAPP_TEMPLATE_ESCALATED",
            TemplateKind::ConfirmSolved => "WHATSAPP_TEMPLATE_CONFIRM_SOLVED",
            TemplateKind::ConfirmSolvedPhoto => "WHATSAPP_TEMPLATE_CONFIRM_SOLVED_PHOTO",
            TemplateKind::OfficialMessage => "WHATSAPP_TEMPLATE_OFFICIAL_MESSAGE",
            TemplateKind::Answered => "WHATSAPP_TEMPLATE_ANSWERED",
            TemplateKind::AutoClosed => "WHATSAPP_TEMPLATE_AUTO_CLOSED",
        }
    }

    pub fn params(self) -> &'static [Param] {
        match self {
            TemplateKind::Verified | TemplateKind::InProgress | TemplateKind::AutoClosed => &[Param::Ticket],
            TemplateKind::Escalated => &[Param::Ticket, Param::Office],
            TemplateKind::Rejected
            | TemplateKind::ConfirmSolved
            | TemplateKind::ConfirmSolvedPhoto
            | TemplateKind::OfficialMessage
            | TemplateKind::Answered => &[Param::Ticket, Param::Note],
        }
    }

    /// Quick-reply buttons the template is registered with.
    pub fn buttons(self) -> &'static [&'static str] {
        match self {
            // The same labels as inside the window; a tap comes back as a
            // reply the webhook reads as yes or no.
            TemplateKind::ConfirmSolved | TemplateKind::ConfirmSolvedPhoto => {
                &["Ya, sudah selesai", "Belum selesai"]
            }
            _ => &[],
        }
    }

    /// Whether the template is registered with an image header, filled
    /// per send.
    pub fn has_image_header(self) -> bool {
        self == TemplateKind::ConfirmSolvedPhoto
    }
}

/// Template names and their language, from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    pub language: String,
    names: [String; 9],
}

impl Default for Templates {
    fn default() -> Self {
        Self {
            language: "id".into(),
            names: TemplateKind::ALL.map(|kind| kind.default_name().to_owned()),
        }
    }
}

impl Templates {
    /// The defaults, with the names `name_of` gives instead.
    pub fn new(language: String, name_of: impl Fn(TemplateKind) -> Option<String>) -> Self {
        Self {
            language,
            names: TemplateKind::ALL
                .map(|kind| name_of(kind).unwrap_or_else(|| kind.default_name().to_owned())),
        }
    }

    pub fn name(&self, kind: TemplateKind) -> &str {
        // `ALL` lists the kinds in their declared order.
        &self.names[kind as usize]
    }
}

/// A template parameter: Meta refuses line breaks, tabs and runs of more
/// than four spaces, so the text goes on one line.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A note as a template parameter: on one line, cut at a word.
pub fn note_param(text: &str) -> String {
    excerpt(&one_line(text), NOTE_CHARS).text.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_configuration_or_default() {
        for (index, kind) in TemplateKind::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, index, "ALL in declared order");
        }
        let templates = Templates::new("id".into(), |kind| {
            (kind == TemplateKind::Rejected).then(|| "kota_ditolak".to_owned())
        });
        assert_eq!(templates.name(TemplateKind::Rejected), "kota_ditolak");
        assert_eq!(templates.name(TemplateKind::Verified), "aduan_verified");
        assert_eq!(
            Templates::default().name(TemplateKind::AutoClosed),
            "aduan_auto_closed"
        );
    }

    #[test]
    fn a_note_is_one_line_and_cut_at_a_word() {
        assert_eq!(
            note_param("Lubang sudah\n\nditambal.\tTerima kasih"),
            "Lubang sudah ditambal. Terima kasih"
        );
        let long = "jalan ".repeat(200);
        let note = note_param(&long);
        assert!(note.chars().count() <= NOTE_CHARS, "{}", note.chars().count());
        assert!(note.ends_with("jalan…"), "{note}");
    }
}
