//! Notices to registered officials on WhatsApp: each case that reaches
//! their tier in their scope (new there, handed down, forwarded or
//! escalated to it), always as the approved utility template
//! `aduan_official_notice` with three quick-reply buttons (Terima, Proses,
//! Info) whose payloads name the case (`off:verify:<ticket>`, ...), and the
//! open cases that may be the same problem (`Store::suggested_duplicates`
//! within the holder's scope: one Query, one BatchGetItem when any may be,
//! read only when someone is told) for a `GABUNG`. One form
//! inside and outside the 24-hour window: outside it only a template may
//! go, and inside it a template costs no more (docs/whatsapp-templates.md).
//!
//! Who is told: the confirmed officials registered at the case's holder
//! (`Case::holder`), and those registered above it who asked for every case
//! below them (`notify_below`): one Query per tier of the holder's path. A
//! notice the provider did not take, where trying again may help, is kept
//! in the outbox for the sweep ([`super::official_retry`]); what goes wrong
//! is logged by ticket and official id, never the number. Each one sent is
//! recorded by its message id so that a reply to it acts on its case
//! (`Store::notice`).

use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::escalation::summary_of;
use super::names::area_name;
use super::retry::RetryPolicy;
use super::templates::one_line;
use crate::conversation::replies;
use crate::domain::case::{Case, Channel};
use crate::domain::duplicates::DuplicateRules;
use crate::domain::identity::Sender;
use crate::domain::jurisdiction::{JurisdictionPath, Jurisdictions};
use crate::domain::official::Registration;
use crate::domain::reporter::ContactCipher;
use crate::domain::timeline::{EventBody, TimelineEvent};
use crate::store::{NoticeRef, Store, StoreError, SuggestedDuplicate};
use crate::texts::{render, Texts};
use crate::whatsapp::client::WhatsAppApi;
use crate::whatsapp::outbound::Outbound;

/// The template's name unless a city registered another.
pub const DEFAULT_TEMPLATE: &str = "aduan_official_notice";
/// The variable naming it otherwise.
pub const TEMPLATE_VARIABLE: &str = "WHATSAPP_TEMPLATE_OFFICIAL_NOTICE";
/// How much of the citizen's text a notice quotes.
pub const TEXT_CHARS: usize = 300;
/// How many suggested duplicates a notice names, best first.
pub const SIMILAR_SHOWN: usize = 3;

/// What the template's parameters are filled with, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeParam {
    Ticket,
    /// Why it reached them: new, forwarded from, escalated from.
    Reason,
    /// The kelurahan (the kecamatan while the kelurahan is unknown).
    Kelurahan,
    Kind,
    Category,
    /// The local date the case is due at its tier.
    Deadline,
    /// The citizen's words, masked and cut to [`TEXT_CHARS`].
    Text,
    /// The open cases that may be the same problem, with the `GABUNG` that
    /// merges the later of it and the first into the earlier; or that there
    /// are none.
    Similar,
}

pub const PARAMS: [NoticeParam; 8] = [
    NoticeParam::Ticket,
    NoticeParam::Reason,
    NoticeParam::Kelurahan,
    NoticeParam::Kind,
    NoticeParam::Category,
    NoticeParam::Deadline,
    NoticeParam::Text,
    NoticeParam::Similar,
];

/// The template's quick-reply buttons, in order: label, and the action its
/// payload names (`off:<action>:<ticket>`, read by the webhook).
pub const BUTTONS: [(&str, &str); 3] = [("Terima", "verify"), ("Proses", "start"), ("Info", "info")];

/// The template as registered: its name and language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeTemplate {
    pub name: String,
    pub language: String,
}

/// Why a case reached an official's desk (kept with a notice to send
/// again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    New,
    /// Forwarded or handed down by the office named.
    Forwarded {
        from: String,
    },
    /// Escalated from the office named (by an official or the SLA sweep).
    Escalated {
        from: String,
    },
}

impl Reason {
    /// Why `event` (a forward or an escalation of `case`) brought the case
    /// to its holder; none for any other event.
    pub fn of_event(texts: &Texts, tree: &Jurisdictions, case: &Case, event: &TimelineEvent) -> Option<Self> {
        match &event.body {
            EventBody::Forwarded { from, .. } => Some(Reason::Forwarded {
                from: office_of(tree, &from.path),
            }),
            EventBody::Escalated { from, from_unit, .. } => Some(Reason::Escalated {
                from: match from_unit {
                    Some(unit) => office_of(tree, unit),
                    None => replies::office_name(texts, tree, case, from),
                },
            }),
            _ => None,
        }
    }
}

/// An office by its full name ("Kelurahan Garegeh"), an RW or RT (not in
/// the tree) by its numbers.
fn office_of(tree: &Jurisdictions, path: &JurisdictionPath) -> String {
    tree.node(path)
        .map_or_else(|| replies::unit_name(tree, path), |node| node.display_name())
}

/// The notice of `case` for its holder's officials, built purely;
/// `similar` are the cases that may be its duplicates, best first.
pub fn notice_message(
    texts: &Texts,
    tree: &Jurisdictions,
    template: &NoticeTemplate,
    offset: FixedOffset,
    case: &Case,
    reason: &Reason,
    similar: &[&Case],
) -> Outbound {
    let words = &texts.official_notice;
    let param = |param: NoticeParam| match param {
        NoticeParam::Ticket => case.ticket.to_string(),
        NoticeParam::Reason => match reason {
            Reason::New => words.new.clone(),
            Reason::Forwarded { from } => render(&words.forwarded, &[("office", from)]),
            Reason::Escalated { from } => render(&words.escalated, &[("office", from)]),
        },
        NoticeParam::Kelurahan => area_name(tree, case.area()),
        NoticeParam::Kind => texts.kind_name(case.kind).to_owned(),
        NoticeParam::Category => case.category.clone().unwrap_or_else(|| words.no_category.clone()),
        NoticeParam::Deadline => case.due_at.map_or_else(
            || words.no_deadline.clone(),
            |due| due.with_timezone(&offset).format("%d/%m/%Y").to_string(),
        ),
        NoticeParam::Text => summary_of(&case.description, TEXT_CHARS),
        NoticeParam::Similar => match similar {
            [] => words.no_similar.clone(),
            [best, ..] => {
                let shown: Vec<&str> = similar
                    .iter()
                    .take(SIMILAR_SHOWN)
                    .map(|c| c.ticket.as_str())
                    .collect();
                // The later report goes into the earlier one.
                let (merged, into) = if best.created_at <= case.created_at {
                    (case, *best)
                } else {
                    (*best, case)
                };
                render(
                    &words.similar,
                    &[
                        ("tickets", &shown.join(", ")),
                        ("merged", merged.ticket.as_str()),
                        ("into", into.ticket.as_str()),
                    ],
                )
            }
        },
    };
    Outbound::Template {
        name: template.name.clone(),
        language: template.language.clone(),
        // Meta refuses line breaks and runs of spaces in a parameter.
        params: PARAMS.iter().map(|p| one_line(&param(*p))).collect(),
        buttons: BUTTONS
            .iter()
            .map(|(_, action)| format!("off:{action}:{}", case.ticket))
            .collect(),
        header_image: None,
    }
}

/// What became of one case's notices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NoticeSummary {
    pub sent: usize,
    /// Not sent now, kept for the sweep to send again.
    pub pending: usize,
    /// Not sent and not kept (refused for good, the officials or the
    /// outbox unreachable), or sent but not recorded (a reply to it acts on
    /// nothing).
    pub failed: usize,
}

impl NoticeSummary {
    pub fn add(&mut self, other: NoticeSummary) {
        self.sent += other.sent;
        self.pending += other.pending;
        self.failed += other.failed;
    }
}

/// How notices that failed are tried again: the outbox's policy (the
/// hourly sweep takes what is due).
pub const NOTICE_RETRY: RetryPolicy = RetryPolicy::OUTBOX;

/// Sends officials their notices; built once per cold start.
#[derive(Clone)]
pub struct OfficialNotifier {
    pub api: WhatsAppApi,
    /// Opens the numbers registrations are sealed with.
    pub contacts: ContactCipher,
    pub texts: Arc<Texts>,
    pub tree: Arc<Jurisdictions>,
    pub template: NoticeTemplate,
    /// The morning digest's template, for those who chose it on WhatsApp.
    pub digest_template: NoticeTemplate,
    /// The city's time zone, for the deadline's date.
    pub offset: FixedOffset,
    /// Which open cases a notice names as possibly the same problem.
    pub duplicates: DuplicateRules,
}

impl OfficialNotifier {
    /// Tells the officials of `case`'s holder that `event` (a forward or an
    /// escalation) brought it to them; nothing for another event.
    pub async fn tell_of_event(
        &self,
        store: &Store,
        case: &Case,
        event: &TimelineEvent,
        now: DateTime<Utc>,
    ) -> NoticeSummary {
        match Reason::of_event(&self.texts, &self.tree, case, event) {
            Some(reason) => self.tell(store, case, &reason, now).await,
            None => NoticeSummary::default(),
        }
    }

    /// Tells the officials of `case`'s holder why it reached them. Never
    /// fails: what goes wrong is logged and counted.
    pub async fn tell(
        &self,
        store: &Store,
        case: &Case,
        reason: &Reason,
        now: DateTime<Utc>,
    ) -> NoticeSummary {
        let mut summary = NoticeSummary::default();
        let holder = case.holder();
        let officials = match told_of(store, &holder).await {
            Ok(officials) => officials,
            Err(error) => {
                tracing::error!(ticket = %case.ticket, %error, "officials to notify not read");
                summary.failed += 1;
                return summary;
            }
        };
        if officials.is_empty() {
            return summary;
        }
        let message = self.notice_of(store, case, reason, now).await;
        for official in officials {
            match self.send(store, case, &official, &message, now).await {
                Ok(()) => summary.sent += 1,
                Err(NoticeError::Send(error)) if error.is_retryable() => {
                    let next = NOTICE_RETRY.next_attempt(1, now);
                    match store
                        .record_pending_notice(&case.id, &official.id, reason, next, &error.to_string())
                        .await
                    {
                        Ok(()) => {
                            tracing::warn!(ticket = %case.ticket, official = %official.id, %error, "official notice not sent: kept for the sweep");
                            summary.pending += 1;
                        }
                        Err(kept) => {
                            tracing::error!(ticket = %case.ticket, official = %official.id, %error, %kept, "official notice not sent, and not kept");
                            summary.failed += 1;
                        }
                    }
                }
                Err(error) => {
                    tracing::warn!(ticket = %case.ticket, official = %official.id, %error, "official notice not sent");
                    summary.failed += 1;
                }
            }
        }
        summary
    }

    /// The notice of `case` as it stands, naming the open cases that may be
    /// the same problem.
    pub(super) async fn notice_of(
        &self,
        store: &Store,
        case: &Case,
        reason: &Reason,
        now: DateTime<Utc>,
    ) -> Outbound {
        let found = self.similar_to(store, case, &case.holder(), now).await;
        let similar: Vec<&Case> = found.iter().map(|f| &f.case).collect();
        notice_message(
            &self.texts,
            &self.tree,
            &self.template,
            self.offset,
            case,
            reason,
            &similar,
        )
    }

    /// The cases that may be the same problem as `case`, within `holder`
    /// (so no one told sees a case outside their scope). None when they
    /// cannot be read: the notice matters more.
    async fn similar_to(
        &self,
        store: &Store,
        case: &Case,
        holder: &JurisdictionPath,
        now: DateTime<Utc>,
    ) -> Vec<SuggestedDuplicate> {
        match store
            .suggested_duplicates(case, holder, &self.duplicates, now)
            .await
        {
            Ok(found) => found,
            Err(error) => {
                tracing::warn!(ticket = %case.ticket, %error, "suggested duplicates not read for the notice");
                Vec::new()
            }
        }
    }

    pub(super) async fn send(
        &self,
        store: &Store,
        case: &Case,
        official: &Registration,
        message: &Outbound,
        now: DateTime<Utc>,
    ) -> Result<(), NoticeError> {
        let message_id = self.send_to(official, &case.channel, message).await?;
        let notice = NoticeRef {
            ticket: case.ticket.clone(),
            case_id: case.id.clone(),
            official_id: official.id.clone(),
        };
        store.record_notice(&message_id, &notice, now).await?;
        Ok(())
    }

    /// Sends `message` to `official` from the city's number `channel`: the
    /// provider's message id.
    pub async fn send_to(
        &self,
        official: &Registration,
        channel: &Channel,
        message: &Outbound,
    ) -> Result<String, NoticeError> {
        let phone = official
            .whatsapp(&self.contacts)
            .map_err(|_| NoticeError::Sealed)?;
        let to = Sender::phone_number(phone.sender_id());
        Ok(self.api.send(channel, &to, message).await?)
    }
}

/// The confirmed officials a case held at `holder` is told to: those
/// registered there, and those above who asked for all below them.
async fn told_of(store: &Store, holder: &JurisdictionPath) -> Result<Vec<Registration>, StoreError> {
    let mut told = Vec::new();
    for tier in holder.lineage() {
        let found = store.officials_at(&tier).await?;
        told.extend(found.into_iter().filter(|o| o.is_told_of(holder)));
    }
    Ok(told)
}

/// Why one notice or digest did not go out. Carries no number.
#[derive(Debug, thiserror::Error)]
pub enum NoticeError {
    #[error("the official's number cannot be opened with this deployment's keys")]
    Sealed,
    #[error(transparent)]
    Send(#[from] crate::whatsapp::client::SendError),
    #[error("sent, but not recorded: {0}")]
    Store(#[from] StoreError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{Channel, NewCase, Provider};
    use crate::domain::kind::CaseKind;
    use crate::domain::ladder::Ladder;
    use crate::domain::reporter::ReporterId;
    use crate::domain::sla::SlaPolicy;
    use crate::domain::ticket::Ticket;

    fn case(description: &str) -> Case {
        let at: DateTime<Utc> = "2026-12-01T03:00:00Z".parse().unwrap();
        let mut case = Case::open(
            NewCase {
                ticket: Ticket::parse("ADU-0042").unwrap(),
                kind: CaseKind::Pengaduan,
                description: description.into(),
                home: JurisdictionPath::parse("bukittinggi/mandiangin-koto-selayan").unwrap(),
                jurisdiction: Some(
                    JurisdictionPath::parse("bukittinggi/mandiangin-koto-selayan/garegeh").unwrap(),
                ),
                reporter: ReporterId::parse(&"a".repeat(64)).unwrap(),
                channel: Channel {
                    provider: Provider::Meta,
                    number_id: "111".into(),
                },
            },
            &Ladder::default(),
            &SlaPolicy::default(),
            at,
        )
        .0;
        case.due_at = Some("2026-12-03T20:00:00Z".parse().unwrap());
        case
    }

    #[test]
    fn a_notice_names_the_case_masks_the_text_and_carries_its_buttons() {
        let texts = Texts::shipped();
        let tree = Jurisdictions::bukittinggi();
        let template = NoticeTemplate {
            name: DEFAULT_TEMPLATE.into(),
            language: "id".into(),
        };
        let wib = FixedOffset::east_opt(7 * 3600).unwrap();
        let long = format!("Jalan rusak,\nhubungi 081234567890. {}", "lubang ".repeat(100));
        let reason = Reason::Forwarded {
            from: "Kecamatan Mandiangin Koto Selayan".into(),
        };
        let message = notice_message(&texts, tree, &template, wib, &case(&long), &reason, &[]);
        message.check_limits().unwrap();
        let Outbound::Template { params, buttons, .. } = &message else {
            panic!("{message:?}")
        };
        assert_eq!(params.len(), PARAMS.len());
        assert_eq!(params[0], "ADU-0042");
        assert_eq!(params[1], "diteruskan dari Kecamatan Mandiangin Koto Selayan");
        assert_eq!(params[2], "Garegeh");
        assert_eq!(params[4], texts.official_notice.no_category);
        // 20:00 UTC is the next day in Bukittinggi.
        assert_eq!(params[5], "04/12/2026");
        assert!(
            !params[6].contains("081234567890") && !params[6].contains('\n'),
            "{}",
            params[6]
        );
        assert!(params[6].chars().count() <= TEXT_CHARS);
        assert_eq!(params[7], "tidak ada");
        assert_eq!(
            buttons,
            &["off:verify:ADU-0042", "off:start:ADU-0042", "off:info:ADU-0042"]
        );
    }

    #[test]
    fn a_notice_names_at_most_three_possible_duplicates_and_the_merge_of_the_later_report() {
        let texts = Texts::shipped();
        let template = NoticeTemplate {
            name: DEFAULT_TEMPLATE.into(),
            language: "id".into(),
        };
        let wib = FixedOffset::east_opt(7 * 3600).unwrap();
        let reported = |ticket: &str, hours: i64| {
            let mut other = case("lampu jalan mati");
            other.ticket = Ticket::parse(ticket).unwrap();
            other.created_at += chrono::Duration::hours(hours);
            other
        };
        let this = case("lampu jalan mati");
        let message_with = |similar: &[&Case]| {
            let message = notice_message(
                &texts,
                Jurisdictions::bukittinggi(),
                &template,
                wib,
                &this,
                &Reason::New,
                similar,
            );
            message.check_limits().unwrap();
            let Outbound::Template { params, .. } = message else {
                panic!("{message:?}")
            };
            params[7].clone()
        };
        let (earlier, later) = (reported("ADU-0012", -5), reported("ADU-0050", 5));
        let (third, fourth) = (reported("ADU-0031", -1), reported("ADU-0040", -2));
        assert_eq!(
            message_with(&[&earlier, &later, &third, &fourth]),
            "ADU-0012, ADU-0050, ADU-0031 (bila sama, balas GABUNG ADU-0042 ADU-0012)"
        );
        // The best reported after this one: it goes into this.
        assert_eq!(
            message_with(&[&later]),
            "ADU-0050 (bila sama, balas GABUNG ADU-0050 ADU-0042)"
        );
    }
}
