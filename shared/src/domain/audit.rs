//! The controller's record of officials' access to cases (UU 27/2022): who
//! read a case's detail or a file, listed a queue, or acted on a case, when,
//! and what they did. Never the content: no description, message, note,
//! reply or reporter data can be put in an entry, because no variant has a
//! place for free text (a file is named by its media id, a queue page by its
//! filter and the tickets it listed).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::case::{Case, CaseId};
use super::jurisdiction::JurisdictionPath;
use super::kind::CaseKind;
use super::ladder::Level;
use super::lifecycle::{Status, Transition};
use super::official::{OfficialId, Registration, Role};
use super::ticket::Ticket;
use super::timeline::EventId;

/// How long entries are kept before DynamoDB's TTL removes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditRetention(Duration);

impl AuditRetention {
    /// Two years: longer than a case usually stays open and a citizen may
    /// still ask who saw their report, and the period an objection or a
    /// complaint to the authority about a processing usually reaches back.
    pub const DEFAULT_DAYS: u16 = 730;

    /// At least one day: an audit that forgets at once is no audit.
    pub fn days(days: u16) -> Option<Self> {
        (days >= 1).then(|| Self(Duration::days(days.into())))
    }
}

impl Default for AuditRetention {
    fn default() -> Self {
        Self(Duration::days(Self::DEFAULT_DAYS.into()))
    }
}

/// The official, as the verified token names them: the identity provider's
/// subject id, the scope and the role it grants. No name: the subject id is
/// what the user pool can be asked about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Auditor {
    pub sub: String,
    pub scope: JurisdictionPath,
    /// `viewer`, `officer` or `admin`, as the API read the role claim.
    pub role: String,
}

/// An official's act on a case, stored as the name the API gives it
/// (`verify`, `note`, `message`, `escalate`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Act {
    /// A move through the lifecycle (`verify`, `reject`, ...).
    Transition(Transition),
    Reclassify,
    Note,
    /// A message to the citizen.
    Message,
    Escalate,
    /// A hand-over down, up or sideways.
    Forward,
    /// The citizen's files marked as needed.
    KeepFiles,
    /// The public record's summary or location set.
    Publish,
    /// Merged into another case as its duplicate (an entry on each case).
    Merge,
    /// A merge undone (an entry on each case).
    Unmerge,
    /// A photo of the work sent from WhatsApp, kept as evidence.
    Evidence,
}

impl Act {
    const OTHERS: [Act; 10] = [
        Act::Reclassify,
        Act::Note,
        Act::Message,
        Act::Escalate,
        Act::Forward,
        Act::KeepFiles,
        Act::Publish,
        Act::Merge,
        Act::Unmerge,
        Act::Evidence,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Act::Transition(transition) => transition.as_str(),
            Act::Reclassify => "reclassify",
            Act::Note => "note",
            Act::Message => "message",
            Act::Escalate => "escalate",
            Act::Forward => "forward",
            Act::KeepFiles => "keep_files",
            Act::Publish => "publish",
            Act::Merge => "merge",
            Act::Unmerge => "unmerge",
            Act::Evidence => "evidence",
        }
    }
}

impl From<Act> for String {
    fn from(act: Act) -> Self {
        act.as_str().to_owned()
    }
}

impl TryFrom<String> for Act {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Transition::ALL
            .into_iter()
            .map(Act::Transition)
            .chain(Act::OTHERS)
            .find(|act| act.as_str() == raw)
            .ok_or_else(|| format!("not an act: {raw}"))
    }
}

/// A queue page's filter, as the query that served it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    /// The area or agency the page was read from.
    pub jurisdiction: JurisdictionPath,
    /// Empty: every status.
    pub statuses: Vec<Status>,
    pub kind: Option<CaseKind>,
    pub level: Option<Level>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: usize,
    /// A later page (a cursor was given).
    pub later_page: bool,
}

/// What the official did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Access {
    /// A page of a case's detail and timeline.
    ReadDetail,
    /// A link to one of the case's files.
    ReadMedia { media_id: String },
    /// One queue page: one entry for the page, not one per case listed.
    ReadQueue {
        filter: QueueFilter,
        listed: Vec<Ticket>,
    },
    /// An act on the case at the version it was taken on (the act made the
    /// next one).
    Action { action: Act, version: u64 },
    /// An official registered to act from WhatsApp: by id, scope and role
    /// (never their name or number).
    RegisterOfficial {
        official: OfficialId,
        scope: JurisdictionPath,
        role: Role,
    },
    /// A registration removed.
    RemoveOfficial {
        official: OfficialId,
        scope: JurisdictionPath,
        role: Role,
    },
    /// A registration changed in place: its role as it is now, and which
    /// fields changed (never their values' names or numbers).
    ChangeOfficial {
        official: OfficialId,
        scope: JurisdictionPath,
        role: Role,
        changed: Vec<String>,
    },
}

impl Access {
    pub fn registered(official: &Registration) -> Self {
        Access::RegisterOfficial {
            official: official.id.clone(),
            scope: official.scope.clone(),
            role: official.role,
        }
    }

    pub fn removed(official: &Registration) -> Self {
        Access::RemoveOfficial {
            official: official.id.clone(),
            scope: official.scope.clone(),
            role: official.role,
        }
    }

    /// `official` as changed, and the fields that changed
    /// ([`Registration::apply`]).
    pub fn changed(official: &Registration, fields: &[&str]) -> Self {
        Access::ChangeOfficial {
            official: official.id.clone(),
            scope: official.scope.clone(),
            role: official.role,
            changed: fields.iter().map(|f| (*f).to_owned()).collect(),
        }
    }
}

/// The case an entry is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditedCase {
    pub id: CaseId,
    pub ticket: Ticket,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// A ULID: entries of one partition sort by time.
    pub id: EventId,
    pub at: DateTime<Utc>,
    pub actor: Auditor,
    pub what: Access,
    /// The case read or acted on; none for a queue page.
    pub case: Option<AuditedCase>,
    /// When the entry expires.
    pub keep_until: DateTime<Utc>,
}

impl AuditEntry {
    /// An entry about `case` (or none, for a queue page). Reading a queue
    /// page with a case is a contradiction the types do not rule out, so
    /// callers use [`AuditEntry::of_case`] and [`AuditEntry::of_queue`].
    fn new(
        actor: Auditor,
        what: Access,
        case: Option<&Case>,
        retention: AuditRetention,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            id: EventId::new(at),
            at,
            actor,
            what,
            case: case.map(|case| AuditedCase {
                id: case.id.clone(),
                ticket: case.ticket.clone(),
            }),
            keep_until: at + retention.0,
        }
    }

    /// A read of `case` or an act on it.
    pub fn of_case(
        actor: Auditor,
        what: Access,
        case: &Case,
        retention: AuditRetention,
        at: DateTime<Utc>,
    ) -> Self {
        Self::new(actor, what, Some(case), retention, at)
    }

    /// An admin's act on no case (an official registered or removed): kept
    /// under the admin.
    pub fn of_admin(actor: Auditor, what: Access, retention: AuditRetention, at: DateTime<Utc>) -> Self {
        Self::new(actor, what, None, retention, at)
    }

    /// A queue page read with `filter` that listed `listed`.
    pub fn of_queue(
        actor: Auditor,
        filter: QueueFilter,
        listed: Vec<Ticket>,
        retention: AuditRetention,
        at: DateTime<Utc>,
    ) -> Self {
        Self::new(actor, Access::ReadQueue { filter, listed }, None, retention, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{Channel, NewCase, Provider};
    use crate::domain::ladder::Ladder;
    use crate::domain::reporter::ReporterId;
    use crate::domain::sla::SlaPolicy;
    use crate::domain::ticket::TicketPrefix;

    fn auditor() -> Auditor {
        Auditor {
            sub: "u-1".into(),
            scope: JurisdictionPath::parse("bukittinggi").unwrap(),
            role: "admin".into(),
        }
    }

    fn case(at: DateTime<Utc>) -> Case {
        let new = NewCase {
            ticket: Ticket::new(&TicketPrefix::default(), 42).unwrap(),
            kind: CaseKind::Pengaduan,
            description: "Jalan berlubang di depan rumah 0812 5555 0001".into(),
            home: JurisdictionPath::parse("bukittinggi").unwrap(),
            jurisdiction: None,
            reporter: ReporterId::parse(&"a".repeat(64)).unwrap(),
            channel: Channel {
                provider: Provider::Meta,
                number_id: "100".into(),
            },
        };
        Case::open(new, &Ladder::default(), &SlaPolicy::default(), at).0
    }

    #[test]
    fn an_entry_names_the_case_and_expires_after_the_retention() {
        let at = Utc::now();
        let case = case(at);
        let retention = AuditRetention::days(30).unwrap();
        let entry = AuditEntry::of_case(
            auditor(),
            Access::Action {
                action: Act::Transition(Transition::Verify),
                version: 1,
            },
            &case,
            retention,
            at,
        );
        assert_eq!(entry.case.as_ref().map(|c| c.ticket.as_str()), Some("ADU-0042"));
        assert_eq!(entry.keep_until, at + Duration::days(30));
        // What is stored: the act by name, never the case's content.
        let json = serde_json::to_string(&entry).unwrap();
        assert!(json.contains(r#""action":"verify""#), "{json}");
        assert!(!json.contains("Jalan") && !json.contains("0812"), "{json}");
        assert_eq!(serde_json::from_str::<AuditEntry>(&json).unwrap(), entry);
    }

    #[test]
    fn a_queue_entry_has_no_case_and_retention_is_at_least_a_day() {
        let at = Utc::now();
        let filter = QueueFilter {
            jurisdiction: JurisdictionPath::parse("bukittinggi").unwrap(),
            statuses: vec![Status::Received],
            kind: None,
            level: None,
            since: None,
            until: None,
            limit: 50,
            later_page: false,
        };
        let listed = vec![case(at).ticket];
        let entry = AuditEntry::of_queue(auditor(), filter, listed, AuditRetention::default(), at);
        assert_eq!(entry.case, None);
        assert_eq!(entry.keep_until, at + Duration::days(730));
        assert_eq!(AuditRetention::days(0), None);
    }
}
