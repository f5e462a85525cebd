//! A case: one citizen report and everything needed to see it through.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ulid::Ulid;

use super::disposition::Closure;
use super::evidence::{EvidencePhoto, OfficialFile};
use super::jurisdiction::JurisdictionPath;
use super::kind::CaseKind;
use super::ladder::{Ladder, LadderError, Level};
use super::lifecycle::{IllegalTransition, Status, Transition};
use super::merge::{MergedCase, MergedInto};
use super::public_photo::PublicPhoto;
use super::reporter::ReporterId;
use super::sla::SlaPolicy;
use super::ticket::Ticket;
use super::timeline::{Actor, EventBody, TimelineEvent};

/// A case's internal id (a ULID): never shown to citizens, who use the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a case id")]
pub struct BadCaseId;

impl CaseId {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Ulid::from_datetime(at.into()).to_string())
    }

    pub fn parse(raw: &str) -> Result<Self, BadCaseId> {
        Ulid::from_string(raw)
            .map(|u| Self(u.to_string()))
            .map_err(|_| BadCaseId)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// When the case was opened: the id is a ULID of that moment.
    pub fn opened_at(&self) -> DateTime<Utc> {
        let ulid = Ulid::from_string(&self.0).expect("a case id is a ULID");
        DateTime::<Utc>::from(ulid.datetime())
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CaseId {
    type Error = BadCaseId;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CaseId> for String {
    fn from(value: CaseId) -> Self {
        value.0
    }
}

/// Which WhatsApp provider and which of the city's numbers received the
/// report: replies must go out from the same number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    pub provider: Provider,
    /// Meta's `phone_number_id`, or the Twilio number (`whatsapp:+62…`).
    pub number_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Meta,
    Twilio,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Meta => "meta",
            Provider::Twilio => "twilio",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub ticket: Ticket,
    pub kind: CaseKind,
    pub category: Option<String>,
    pub description: String,
    /// The kelurahan (or a node below it) once known.
    pub jurisdiction: Option<JurisdictionPath>,
    /// The narrowest node known when the case opened (the receiving number's
    /// kecamatan, else the kota): the case's queue until `jurisdiction` is set.
    pub home: JurisdictionPath,
    /// The agency the case was escalated to, if any: it is in that agency's
    /// scope as well as its area's.
    pub agency: Option<JurisdictionPath>,
    pub level: Level,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the case entered its current status or level (SLA clocks restart).
    pub clock_started_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    /// Bumped on every write; writes are conditional on the version read.
    pub version: u64,
    pub reporter: CaseReporter,
    pub channel: Channel,
    /// The citizen's 1–5 rating, once given.
    #[serde(default)]
    pub rating: Option<u8>,
    /// An official marked the citizen's files as needed (evidence): they
    /// are kept when the citizen erases their data, and by the retention
    /// sweep.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keep_files: bool,
    /// The RW or RT the kelurahan handed the case down to: the case stays in
    /// the kelurahan's queue, and is in that unit's too, until it comes back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handed_down_to: Option<JurisdictionPath>,
    /// How a closed case ended; none while it is not closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_as: Option<Closure>,
    /// Offices that forwarded the case out of their scope, and until when
    /// they may read it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub senders: Vec<SentFrom>,
    /// When the case was first verified and first resolved: the public
    /// record's working days to verify and to resolve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
    /// What the public record says was done, written by an official (never
    /// the citizen's words).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_summary: Option<String>,
    /// The place the citizen shared, copied here only when an official made
    /// it public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_location: Option<PublicLocation>,
    /// The one stored photo an official made public with the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_photo: Option<PublicPhoto>,
    /// When it last closed (closed, rejected, withdrawn); none while open:
    /// its files' retention counts from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
    /// When the sweep deleted its files, their retention over; none again
    /// once it reopens (files sent then are kept until its next close).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files_deleted_at: Option<DateTime<Utc>>,
    /// Merged into another case as its duplicate: that case, and what this
    /// one was before (an undo restores it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<MergedInto>,
    /// The cases merged into this one (at most `merge::MAX_MERGED`): their
    /// reporters are told of this case's progress too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<MergedCase>,
    /// The latest photo an official sent from WhatsApp as evidence, as
    /// WhatsApp can send it on: the citizen sees it with the resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence_photo: Option<EvidencePhoto>,
}

/// Who reported a case: their pseudonymous id, or, once they erased their
/// data, nobody. An erased case stays as a public-service record but
/// points at no reporter, so the same number writing again (the same
/// HMAC, the same id) never reaches it. Stored as the id or `erased`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum CaseReporter {
    Known(ReporterId),
    Erased,
}

const ERASED: &str = "erased";

impl CaseReporter {
    pub fn id(&self) -> Option<&ReporterId> {
        match self {
            CaseReporter::Known(id) => Some(id),
            CaseReporter::Erased => None,
        }
    }

    /// As stored: the id, or `erased`.
    pub fn as_str(&self) -> &str {
        match self {
            CaseReporter::Known(id) => id.as_str(),
            CaseReporter::Erased => ERASED,
        }
    }

    /// Whether `id` reported it (never, once erased).
    pub fn is(&self, id: &ReporterId) -> bool {
        self.id() == Some(id)
    }
}

impl TryFrom<String> for CaseReporter {
    type Error = super::reporter::ReporterError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        match s.as_str() {
            ERASED => Ok(CaseReporter::Erased),
            id => ReporterId::parse(id).map(CaseReporter::Known),
        }
    }
}

impl From<CaseReporter> for String {
    fn from(reporter: CaseReporter) -> Self {
        match reporter {
            CaseReporter::Known(id) => id.into(),
            CaseReporter::Erased => ERASED.to_owned(),
        }
    }
}

/// An office that handed the case on outside its scope: it may still read
/// the case as it was when it let go (`until`), not what came after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentFrom {
    pub scope: JurisdictionPath,
    pub until: DateTime<Utc>,
}

/// Coordinates an official made public (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PublicLocation {
    pub lat: f64,
    pub long: f64,
}

/// What the first message gives us.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub ticket: Ticket,
    pub kind: CaseKind,
    pub description: String,
    pub jurisdiction: Option<JurisdictionPath>,
    pub home: JurisdictionPath,
    pub reporter: ReporterId,
    pub channel: Channel,
}

/// A request to raise a case: one tier up when `to` is `None`.
#[derive(Debug, Clone, Default)]
pub struct Escalation {
    pub to: Option<Level>,
    /// The agency node's path when `to` is an agency: the case joins its scope.
    pub agency: Option<JurisdictionPath>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    #[error(transparent)]
    Ladder(#[from] LadderError),
    #[error("a closed, rejected or withdrawn case cannot be escalated")]
    NotOpen,
    #[error("only a question is answered and closed in one step; a {0} is resolved, and its reporter asked")]
    NotAQuestion(CaseKind),
}

impl Case {
    /// Records a photo an official sent as evidence, and, when it could be
    /// uploaded for sending on, makes it the one the citizen sees with the
    /// resolution. Any status: a photo after the resolution is evidence too.
    pub fn add_evidence(
        &mut self,
        photo: &OfficialFile,
        upload: Option<EvidencePhoto>,
        actor: Actor,
        keeps_files: bool,
        now: DateTime<Utc>,
    ) -> TimelineEvent {
        self.updated_at = now;
        if upload.is_some() {
            self.evidence_photo = upload;
        }
        photo.event(actor, keeps_files, now)
    }

    /// Opens a case at the ladder's entry level, due for verification.
    pub fn open(new: NewCase, ladder: &Ladder, sla: &SlaPolicy, now: DateTime<Utc>) -> (Case, TimelineEvent) {
        let level = ladder.entry();
        let case = Case {
            id: CaseId::new(now),
            ticket: new.ticket,
            kind: new.kind,
            category: None,
            description: new.description,
            jurisdiction: new.jurisdiction,
            home: new.home,
            agency: None,
            due_at: sla.due(Status::Received, &level, now),
            level: level.clone(),
            status: Status::Received,
            created_at: now,
            updated_at: now,
            clock_started_at: now,
            version: 1,
            reporter: CaseReporter::Known(new.reporter),
            channel: new.channel,
            rating: None,
            keep_files: false,
            handed_down_to: None,
            closed_as: None,
            senders: Vec::new(),
            verified_at: None,
            resolved_at: None,
            public_summary: None,
            public_location: None,
            public_photo: None,
            closed_at: None,
            files_deleted_at: None,
            merged_into: None,
            merged: Vec::new(),
            evidence_photo: None,
        };
        let event = TimelineEvent::new(
            now,
            Actor::Citizen,
            EventBody::Opened {
                kind: case.kind,
                level,
            },
        );
        (case, event)
    }

    /// The node whose queue the case is in: its kelurahan once known, else its home.
    pub fn area(&self) -> &JurisdictionPath {
        self.jurisdiction.as_ref().unwrap_or(&self.home)
    }

    /// Whether an official whose scope is `scope` may see this case.
    pub fn is_within(&self, scope: &JurisdictionPath) -> bool {
        self.area().is_within(scope)
            || self.agency.as_ref().is_some_and(|a| a.is_within(scope))
            || self.handed_down_to.as_ref().is_some_and(|u| u.is_within(scope))
    }

    /// Until when an official of `scope` who forwarded the case out of
    /// their scope may still read it; none if they never did.
    pub fn readable_until(&self, scope: &JurisdictionPath) -> Option<DateTime<Utc>> {
        self.senders.iter().find(|s| s.scope == *scope).map(|s| s.until)
    }

    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.status.is_open() && self.due_at.is_some_and(|due| due <= now)
    }

    /// Moves the case through its lifecycle and restarts the SLA clock.
    pub fn transition(
        &mut self,
        transition: Transition,
        actor: Actor,
        note: Option<String>,
        sla: &SlaPolicy,
        now: DateTime<Utc>,
    ) -> Result<TimelineEvent, CaseError> {
        let from = self.status;
        let to = from.apply(transition)?;
        if transition == Transition::Answer && self.kind != CaseKind::Pertanyaan {
            return Err(CaseError::NotAQuestion(self.kind));
        }
        self.status = to;
        // Closing a resolved case or answering a question ends it as
        // resolved; reopening forgets how it had ended.
        self.closed_as = (to == Status::Closed).then_some(match transition {
            Transition::Dispose => Closure::NoFurtherAction,
            _ => Closure::Resolved,
        });
        match to {
            Status::Verified => self.verified_at = self.verified_at.or(Some(now)),
            Status::Resolved => self.resolved_at = self.resolved_at.or(Some(now)),
            _ => {}
        }
        self.restart_clock(sla, now);
        Ok(TimelineEvent::new(
            now,
            actor,
            EventBody::StatusChanged { from, to, note },
        ))
    }

    /// Raises the case one tier up, or to the level the escalation names.
    pub fn escalate(
        &mut self,
        escalation: Escalation,
        actor: Actor,
        ladder: &Ladder,
        sla: &SlaPolicy,
        now: DateTime<Utc>,
    ) -> Result<TimelineEvent, CaseError> {
        if !self.status.is_open() {
            return Err(CaseError::NotOpen);
        }
        let from = self.level.clone();
        let to = match escalation.to {
            Some(to) => ladder.escalate_to(&from, &to)?,
            // A case an RW or RT holds comes back up to the kelurahan that
            // handed it down, whatever tiers the ladder lists between.
            None if self.handed_down_to.is_some() => Level::Tier(super::ladder::Tier::Kelurahan),
            None => ladder.next(&from)?,
        };
        if let Level::Agency(_) = to {
            self.agency = escalation.agency;
        }
        let from_unit = self.handed_down_to.take();
        self.level = to.clone();
        self.restart_clock(sla, now);
        let reason = escalation.reason;
        Ok(TimelineEvent::new(
            now,
            actor,
            EventBody::Escalated {
                from,
                to,
                reason,
                from_unit,
            },
        ))
    }

    /// The citizen answered "is it solved?", but neither yes nor no: they
    /// are asked again, and a resolved case waits its whole time for that
    /// answer again, so the sweep never closes it "for no answer" just
    /// after they answered.
    pub fn answered_unclearly(&mut self, sla: &SlaPolicy, now: DateTime<Utc>) {
        if self.status == Status::Resolved {
            self.restart_clock(sla, now);
        }
    }

    pub(super) fn restart_clock(&mut self, sla: &SlaPolicy, now: DateTime<Utc>) {
        self.clock_started_at = now;
        self.updated_at = now;
        self.due_at = sla.due(self.status, &self.level, now);
        if self.status.is_open() {
            self.closed_at = None;
            self.files_deleted_at = None;
        } else {
            self.closed_at = self.closed_at.or(Some(now));
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::ladder::Tier;

    pub(crate) fn sample_new_case(ticket: u64) -> NewCase {
        NewCase {
            ticket: Ticket::parse(&format!("ADU-{ticket}")).unwrap(),
            kind: CaseKind::Pengaduan,
            description: "Jalan berlubang di depan SD".into(),
            jurisdiction: Some(
                JurisdictionPath::parse("bukittinggi/mandiangin-koto-selayan/garegeh").unwrap(),
            ),
            home: JurisdictionPath::parse("bukittinggi/mandiangin-koto-selayan").unwrap(),
            reporter: ReporterId::parse(&"ab".repeat(32)).unwrap(),
            channel: Channel {
                provider: Provider::Meta,
                number_id: "1234567890".into(),
            },
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    pub(crate) fn official() -> Actor {
        Actor::Official {
            sub: "sub-1".into(),
            name: "Petugas".into(),
        }
    }

    #[test]
    fn opens_received_at_entry_level_with_verify_deadline() {
        let now = at("2026-11-23T10:00:00+07:00");
        let (case, event) = Case::open(sample_new_case(1), &Ladder::default(), &SlaPolicy::default(), now);
        assert_eq!(case.status, Status::Received);
        assert_eq!(case.level, Level::Tier(Tier::Kelurahan));
        assert_eq!(case.due_at, Some(at("2026-11-27T00:00:00+07:00")));
        assert_eq!(case.version, 1);
        assert!(matches!(
            event.body,
            EventBody::Opened {
                kind: CaseKind::Pengaduan,
                ..
            }
        ));
    }

    #[test]
    fn transitions_restart_the_clock_and_refuse_illegal_moves() {
        let sla = SlaPolicy::default();
        let now = at("2026-11-23T10:00:00+07:00");
        let (mut case, _) = Case::open(sample_new_case(1), &Ladder::default(), &sla, now);
        let later = at("2026-11-24T09:00:00+07:00");
        let event = case
            .transition(Transition::Verify, official(), None, &sla, later)
            .unwrap();
        assert!(matches!(
            event.body,
            EventBody::StatusChanged {
                from: Status::Received,
                to: Status::Verified,
                ..
            }
        ));
        assert_eq!(case.due_at, Some(at("2026-12-02T00:00:00+07:00")));
        let err = case
            .transition(Transition::Close, official(), None, &sla, later)
            .unwrap_err();
        assert_eq!(
            err,
            CaseError::Illegal(IllegalTransition {
                from: Status::Verified,
                transition: Transition::Close
            })
        );
        assert_eq!(case.status, Status::Verified, "a refused move changes nothing");
        case.transition(Transition::Withdraw, Actor::Citizen, None, &sla, later)
            .unwrap();
        assert_eq!(case.due_at, None);
        assert!(!case.is_overdue(later + chrono::Duration::days(30)));
    }

    #[test]
    fn escalation_climbs_and_agencies_join_the_scope() {
        let sla = SlaPolicy::default();
        let ladder = Ladder::default();
        let now = at("2026-11-23T10:00:00+07:00");
        let (mut case, _) = Case::open(sample_new_case(1), &ladder, &sla, now);
        let event = case
            .escalate(Escalation::default(), Actor::System, &ladder, &sla, now)
            .unwrap();
        assert!(matches!(
            event.body,
            EventBody::Escalated {
                to: Level::Tier(Tier::Kecamatan),
                ..
            }
        ));
        assert_eq!(case.level, Level::Tier(Tier::Kecamatan));
        let pupr = JurisdictionPath::parse("bukittinggi/dinas/pupr").unwrap();
        assert!(!case.is_within(&pupr));
        let to_pupr = Escalation {
            to: Some(Level::Agency("pupr".into())),
            agency: Some(pupr.clone()),
            reason: Some("jalan kota".into()),
        };
        case.escalate(to_pupr, official(), &ladder, &sla, now).unwrap();
        assert!(case.is_within(&pupr));
        assert!(case.is_within(&JurisdictionPath::parse("bukittinggi/mandiangin-koto-selayan").unwrap()));
        assert!(!case.is_within(&JurisdictionPath::parse("bukittinggi/guguk-panjang").unwrap()));
        // An agency answers to the top of the ladder, and the top goes no further.
        case.escalate(Escalation::default(), Actor::System, &ladder, &sla, now)
            .unwrap();
        assert_eq!(case.level, Level::Tier(Tier::Kota));
        let err = case
            .escalate(Escalation::default(), Actor::System, &ladder, &sla, now)
            .unwrap_err();
        assert_eq!(err, CaseError::Ladder(LadderError::AtTop));
        case.transition(Transition::Withdraw, Actor::Citizen, None, &sla, now)
            .unwrap();
        let err = case
            .escalate(Escalation::default(), Actor::System, &ladder, &sla, now)
            .unwrap_err();
        assert_eq!(err, CaseError::NotOpen);
    }

    #[test]
    fn unknown_kelurahan_queues_at_home() {
        let mut new = sample_new_case(3);
        new.jurisdiction = None;
        let (case, _) = Case::open(new, &Ladder::default(), &SlaPolicy::default(), Utc::now());
        assert_eq!(case.area().as_str(), "bukittinggi/mandiangin-koto-selayan");
        assert!(case.is_within(&JurisdictionPath::parse("bukittinggi/mandiangin-koto-selayan").unwrap()));
        assert!(
            !case.is_within(&JurisdictionPath::parse("bukittinggi/mandiangin-koto-selayan/garegeh").unwrap())
        );
    }
}
