//! Escalation messages to officials on `ESCALATION_TOPIC_ARN`: the same
//! message whoever escalated (an official through the API, or the SLA sweep).
//!
//! One SNS message per escalation, `MessageStructure=json` with `default`,
//! `sms` (at most 160 GSM-7 characters: ticket, kelurahan, kind, age) and
//! `email` (the summary and a link to the case); message attributes
//! `jurisdiction` (path with a trailing slash, so a prefix filter stops at a
//! segment boundary), `level` (the new level) and `type` = `escalation`.
//! Never the reporter's number: nothing of the reporter is included, and
//! long digit runs in the citizen's description are masked.
//!
//! [`escalation_message`] is pure; [`EscalationNotifier`] publishes, and on
//! failure leaves the publish in the outbox for the sweep instead of failing.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset, Utc};

use super::sns::{PublishError, SnsMessage, SnsPublisher, MAX_SMS_GSM7, MAX_SUBJECT};
use super::{gsm7, ATTR_JURISDICTION, ATTR_LEVEL, ATTR_TYPE};
use crate::domain::case::Case;
use crate::domain::jurisdiction::{JurisdictionPath, Jurisdictions, NodeKind};
use crate::domain::ladder::Level;
use crate::domain::sla::WIB_OFFSET_SECONDS;
use crate::domain::timeline::{Actor, EventBody, TimelineEvent};
use crate::store::{AttemptEnd, OutboxEntry, Store, StoreError};

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
    let EventBody::Escalated { from, to, reason } = &event.body else {
        return Err(NotAnEscalation);
    };
    let tree = ctx.tree;
    let area = case.area();
    let place = area_name(tree, area);
    let target = level_name(tree, to);
    let age_days = (event.at - case.created_at).num_days().max(0);
    let kind = case.kind.as_str();
    let ticket = case.ticket.as_str();

    // SMS: shorten the names (config-controlled, so unbounded) until it fits.
    let sms = fit_sms(|place_max, target_max| {
        format!(
            "Aduan ESKALASI {ticket} ke {}: {}, {kind}, {age_days} hari",
            cut(&target, target_max),
            cut(&place, place_max),
        )
    });

    let subject = gsm7::ascii_line(
        &format!("[Aduan] Eskalasi {ticket} ke {target} - {place}"),
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
        "Kasus {ticket} dieskalasi dari {} ke {target}.\n\n",
        level_name(tree, from)
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
    attributes.insert(
        ATTR_JURISDICTION.to_owned(),
        escalation_jurisdiction(case, to).with_trailing_slash(),
    );
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
/// case's area, whose ancestors (the kecamatan, the kota) match by prefix.
pub fn escalation_jurisdiction<'a>(case: &'a Case, to: &Level) -> &'a JurisdictionPath {
    match (to, &case.agency) {
        (Level::Agency(_), Some(agency)) => agency,
        _ => case.area(),
    }
}

/// Builds an SMS from a template taking the most characters of the two
/// variable names, shortening them until the text is at most 160 GSM-7.
pub(crate) fn fit_sms(render: impl Fn(usize, usize) -> String) -> String {
    for (a, b) in [
        (usize::MAX, usize::MAX),
        (40, 30),
        (30, 20),
        (24, 16),
        (16, 12),
        (10, 8),
        (6, 6),
        (0, 0),
    ] {
        let text = gsm7::transliterate(&render(a, b));
        if gsm7::len(&text).is_some_and(|n| n <= MAX_SMS_GSM7) {
            return text;
        }
    }
    let text = gsm7::transliterate(&render(0, 0));
    gsm7::truncate(&text, MAX_SMS_GSM7).to_owned()
}

/// At most `max` characters of `name`, a "." marking a cut.
pub(crate) fn cut(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = name.chars().take(max - 1).collect();
    out = out.trim_end().to_owned();
    out.push('.');
    out
}

/// A node's display name: its name, an agency's short name.
pub fn node_name(tree: &Jurisdictions, path: &JurisdictionPath) -> String {
    match tree.node(path) {
        Some(node) if node.kind == NodeKind::Agency => {
            node.short.clone().unwrap_or_else(|| node.name.clone())
        }
        Some(node) if node.kind == NodeKind::Kecamatan => format!("Kec. {}", node.name),
        Some(node) => node.name.clone(),
        None => path.last_segment().to_owned(),
    }
}

/// The kelurahan's name (RW/RT areas by their kelurahan), else the node's.
fn area_name(tree: &Jurisdictions, area: &JurisdictionPath) -> String {
    let kelurahan = area.ancestor_at(3).filter(|_| area.depth() > 3);
    node_name(tree, kelurahan.as_ref().unwrap_or(area))
}

/// "Kel. Garegeh, Kec. Mandiangin Koto Selayan, Kota Bukittinggi".
fn area_lineage(tree: &Jurisdictions, area: &JurisdictionPath) -> String {
    let mut parts: Vec<String> = area
        .lineage()
        .iter()
        .map(|p| match tree.node(p) {
            Some(node) if node.kind == NodeKind::Kelurahan => format!("Kel. {}", node.name),
            Some(node) if node.kind == NodeKind::Kecamatan => format!("Kec. {}", node.name),
            Some(node) => node.name.clone(),
            None => p.last_segment().to_owned(),
        })
        .collect();
    parts.reverse();
    parts.join(", ")
}

/// "kecamatan", "kota", or an agency's short name.
pub fn level_name(tree: &Jurisdictions, level: &Level) -> String {
    match level {
        Level::Tier(tier) => tier.as_str().to_owned(),
        Level::Agency(slug) => tree
            .agencies()
            .find(|a| a.slug() == slug)
            .and_then(|a| a.short.clone())
            .unwrap_or_else(|| slug.to_uppercase()),
    }
}

/// The description on one paragraph, cut, with phone-number-like digit runs
/// (8 digits or more, spaces and dashes allowed) masked.
pub fn summary(description: &str) -> String {
    let flat: String = description.split_whitespace().collect::<Vec<_>>().join(" ");
    let masked = mask_numbers(&flat);
    let cut_text = cut(&masked, DESCRIPTION_CHARS);
    if cut_text.is_empty() {
        "(tanpa teks)".to_owned()
    } else {
        cut_text
    }
}

fn mask_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() || chars[i] == '+' {
            let mut j = i;
            let mut digits = 0;
            let mut last_digit = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || matches!(chars[j], '+' | ' ' | '-' | '.'))
            {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                    last_digit = j;
                }
                j += 1;
            }
            if digits >= 8 {
                out.push_str("[nomor disembunyikan]");
                i = last_digit + 1;
                continue;
            }
            out.extend(&chars[i..=last_digit.max(i)]);
            i = last_digit.max(i) + 1;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Backoff and the bound on attempts for outbox retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay after the first failure; doubled after each further one.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Attempts after which the entry is given up and flagged on the case.
    pub max_attempts: u32,
    /// How long a claimed attempt may take before another sweep may retry it.
    pub lease: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first_delay: Duration::minutes(5),
            max_delay: Duration::hours(6),
            max_attempts: 8,
            lease: Duration::minutes(5),
        }
    }
}

impl RetryPolicy {
    /// When to try again after `attempts` failed attempts.
    pub fn next_attempt(&self, attempts: u32, now: DateTime<Utc>) -> DateTime<Utc> {
        let factor = 1i32 << attempts.saturating_sub(1).min(16);
        let delay = (self.first_delay * factor).min(self.max_delay);
        now + delay
    }
}

/// What became of a publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishOutcome {
    Published {
        message_id: String,
    },
    /// Not published: recorded in the outbox; the sweep retries it.
    Pending {
        error: String,
    },
}

/// What a retry of an outbox entry did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryOutcome {
    Published,
    /// Failed again; retried later.
    Rescheduled,
    /// Failed for the last allowed time: flagged on the case.
    GaveUp,
    /// Another sweep had it, or it was finished meanwhile.
    Skipped,
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    NotAnEscalation(#[from] NotAnEscalation),
    /// The outbox could not be written or read: the escalation itself is
    /// saved, but nothing records that its publish is missing.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Publishes escalations; what fails to go out waits in the outbox.
#[derive(Clone)]
pub struct EscalationNotifier {
    sns: SnsPublisher,
    store: Store,
    topic_arn: String,
    console_base_url: Option<String>,
    offset: FixedOffset,
    retry: RetryPolicy,
}

impl EscalationNotifier {
    pub fn new(sns: SnsPublisher, store: Store, topic_arn: impl Into<String>) -> Self {
        Self {
            sns,
            store,
            topic_arn: topic_arn.into(),
            console_base_url: None,
            offset: FixedOffset::east_opt(WIB_OFFSET_SECONDS).expect("WIB is a valid offset"),
            retry: RetryPolicy::default(),
        }
    }

    /// The officials' console, for the link in escalation emails.
    pub fn with_console_base_url(mut self, url: Option<String>) -> Self {
        self.console_base_url = url;
        self
    }

    pub fn with_offset(mut self, offset: FixedOffset) -> Self {
        self.offset = offset;
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
    }

    /// The message for an escalation, as this notifier would publish it.
    pub fn message(
        &self,
        case: &Case,
        event: &TimelineEvent,
        tree: &Jurisdictions,
    ) -> Result<SnsMessage, NotAnEscalation> {
        escalation_message(
            case,
            event,
            &MessageContext {
                tree,
                console_base_url: self.console_base_url.as_deref(),
                offset: self.offset,
            },
        )
    }

    /// Publishes the escalation `event` of `case` (already saved). If SNS
    /// fails, the publish is recorded in the outbox for the sweep and the
    /// outcome is `Pending`: the caller answers as usual. `Err` only when the
    /// event is not an escalation or the outbox cannot be written.
    pub async fn publish_escalation(
        &self,
        case: &Case,
        event: &TimelineEvent,
        tree: &Jurisdictions,
    ) -> Result<PublishOutcome, NotifyError> {
        let message = self.message(case, event, tree)?;
        match self.sns.publish(&self.topic_arn, &message).await {
            Ok(message_id) => Ok(PublishOutcome::Published { message_id }),
            Err(PublishError(error)) => {
                tracing::warn!(case = %case.id, ticket = %case.ticket, %error, "escalation publish failed; left for the sweep");
                let next = self.retry.next_attempt(1, event.at);
                self.store
                    .record_pending_publish(&case.id, &event.id, next, 1, &error)
                    .await?;
                Ok(PublishOutcome::Pending { error })
            }
        }
    }

    /// Publishes an escalation whose pending entry was saved with the case
    /// ([`Store::save_case_with_pending_publish`]) and deletes the entry; on
    /// failure the entry is rescheduled with its error.
    pub async fn publish_recorded(
        &self,
        case: &Case,
        event: &TimelineEvent,
        tree: &Jurisdictions,
        entry: &OutboxEntry,
    ) -> Result<PublishOutcome, NotifyError> {
        let message = self.message(case, event, tree)?;
        match self.sns.publish(&self.topic_arn, &message).await {
            Ok(message_id) => {
                self.store.finish_attempt(entry, AttemptEnd::Done).await?;
                Ok(PublishOutcome::Published { message_id })
            }
            Err(PublishError(error)) => {
                let next = self.retry.next_attempt(1, event.at);
                // Count this attempt: the entry was saved with none.
                if let Some(claimed) = self.store.claim_entry(entry, next).await? {
                    self.store
                        .finish_attempt(&claimed, AttemptEnd::RetryAt(next, error.clone()))
                        .await?;
                }
                Ok(PublishOutcome::Pending { error })
            }
        }
    }

    /// Retries one due `escalation` outbox entry: claims it (so two sweeps
    /// never both publish it), publishes, and deletes it; or reschedules it
    /// with backoff; or, after the last allowed attempt, gives up and flags
    /// it on the case's timeline.
    pub async fn retry_entry(
        &self,
        entry: &OutboxEntry,
        tree: &Jurisdictions,
        now: DateTime<Utc>,
    ) -> Result<RetryOutcome, NotifyError> {
        let Some(claimed) = self.store.claim_entry(entry, now + self.retry.lease).await? else {
            return Ok(RetryOutcome::Skipped);
        };
        let case = self.store.case(&entry.case_id).await?;
        let event = self.store.timeline_event(&entry.case_id, &entry.event_id).await?;
        let result = match (&case, &event) {
            (Some(case), Some(event)) => {
                let message = self.message(case, event, tree)?;
                self.sns
                    .publish(&self.topic_arn, &message)
                    .await
                    .map_err(|PublishError(e)| e)
            }
            _ => Err("the case or its escalation event is missing".to_owned()),
        };
        let end = match result {
            Ok(_) => AttemptEnd::Done,
            Err(error) if claimed.attempts >= self.retry.max_attempts => {
                let level = match event.as_ref().map(|e| &e.body) {
                    Some(EventBody::Escalated { to, .. }) => level_name(tree, to),
                    _ => "?".to_owned(),
                };
                AttemptEnd::GiveUp {
                    note: format!(
                        "Pemberitahuan eskalasi ke {level} tidak terkirim ke petugas setelah {} percobaan: {error}",
                        claimed.attempts
                    ),
                    error,
                    at: now,
                }
            }
            Err(error) => AttemptEnd::RetryAt(self.retry.next_attempt(claimed.attempts, now), error),
        };
        let outcome = match &end {
            AttemptEnd::Done => RetryOutcome::Published,
            AttemptEnd::RetryAt(..) => RetryOutcome::Rescheduled,
            AttemptEnd::GiveUp { .. } => RetryOutcome::GaveUp,
        };
        if self.store.finish_attempt(&claimed, end).await? {
            Ok(outcome)
        } else {
            Ok(RetryOutcome::Skipped)
        }
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
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy::default();
        let now = at("2026-11-23T10:00:00Z");
        assert_eq!(policy.next_attempt(1, now), now + Duration::minutes(5));
        assert_eq!(policy.next_attempt(2, now), now + Duration::minutes(10));
        assert_eq!(policy.next_attempt(4, now), now + Duration::minutes(40));
        assert_eq!(policy.next_attempt(30, now), now + Duration::hours(6));
    }

    #[test]
    fn masks_phone_numbers_only() {
        assert_eq!(mask_numbers("RT 03 RW 12, no 45"), "RT 03 RW 12, no 45");
        assert_eq!(mask_numbers("wa +62 812 3456 7890."), "wa [nomor disembunyikan].");
        assert_eq!(mask_numbers("081234567890"), "[nomor disembunyikan]");
        assert_eq!(mask_numbers("tgl 2026-11-23"), "tgl [nomor disembunyikan]");
    }
}
