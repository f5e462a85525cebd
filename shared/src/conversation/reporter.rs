//! What the desk remembers about a citizen between their messages.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::limits::Activity;
use super::{Awaiting, OpenCase};
use crate::domain::identity::IdKeys;
use crate::domain::reporter::{ReporterId, SealedContact};

/// What the desk remembers about a reporter between messages. The contact is
/// sealed; the pseudonymous id is the key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reporter {
    pub id: ReporterId,
    /// The case their next message is added to, if one is open.
    #[serde(default)]
    pub open_case: Option<OpenCase>,
    /// The question we asked them and wait for an answer to.
    #[serde(default)]
    pub awaiting: Option<Awaiting>,
    pub contact: SealedContact,
    /// The keys of the ids they are known by. The record is kept whole
    /// under each key besides its id ([`Reporter::copies`]), every write
    /// putting all copies, so whichever id a delivery carries finds it in
    /// the first read. Records from before BSUIDs have none: their id is
    /// their number's key.
    #[serde(default, skip_serializing_if = "IdKeys::is_empty")]
    pub known_as: IdKeys,
    pub last_inbound_at: DateTime<Utc>,
    /// When they sent `BERHENTI`: no message goes to them but replies to
    /// what they send, until `MULAI`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<DateTime<Utc>>,
    /// When a follow-up of theirs was last thanked (at most one a few
    /// minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followup_acked_at: Option<DateTime<Utc>>,
    /// What their limits count ([`super::limits`]); absent on older records.
    #[serde(default)]
    pub activity: Activity,
    /// Bumped on every write; writes are conditional on the version read.
    pub version: u64,
}

impl Reporter {
    /// A reporter's first record, before it is written.
    pub fn new(id: ReporterId, contact: SealedContact, last_inbound_at: DateTime<Utc>) -> Self {
        Self {
            id,
            open_case: None,
            awaiting: None,
            contact,
            known_as: IdKeys::default(),
            last_inbound_at,
            stopped_at: None,
            followup_acked_at: None,
            activity: Activity::default(),
            version: 0,
        }
    }

    fn keys(&self) -> IdKeys {
        if self.known_as.is_empty() {
            IdKeys {
                phone: Some(self.id.clone()),
                ..IdKeys::default()
            }
        } else {
            self.known_as.clone()
        }
    }

    /// The keys the record is copied under: those it is known by, but its id.
    pub fn copies(&self) -> Vec<ReporterId> {
        let mut copies: Vec<ReporterId> = Vec::new();
        for key in self.keys().all() {
            if *key != self.id && !copies.contains(key) {
                copies.push(key.clone());
            }
        }
        copies
    }
}

/// Who a delivery is from, among the records read under the sender's keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// Their record, if they wrote before.
    pub reporter: Option<Reporter>,
    /// Their record's id, or the one a new record gets.
    pub id: ReporterId,
    /// The sender's keys under which another reporter's record is kept: not
    /// theirs to be copied under.
    pub taken: Vec<ReporterId>,
}

/// Resolves a sender's keys against the records read under them; none when
/// every key of a new sender is another reporter's (a number that changed
/// hands, arriving without a BSUID).
pub fn resolve(keys: &IdKeys, found: &[Reporter]) -> Option<Resolved> {
    let reporter = theirs(keys, found);
    let taken = kept_by_others(keys, found, reporter.as_ref().map(|r| &r.id));
    let id = match &reporter {
        Some(r) => r.id.clone(),
        None => [keys.new_reporter_id()]
            .into_iter()
            .chain(keys.all().cloned())
            .find(|k| !taken.contains(k))?,
    };
    Some(Resolved { reporter, id, taken })
}

/// Which of `keys` a record other than `mine` is kept under.
pub fn kept_by_others(keys: &IdKeys, found: &[Reporter], mine: Option<&ReporterId>) -> Vec<ReporterId> {
    found
        .iter()
        .filter(|r| Some(&r.id) != mine)
        .flat_map(|r| std::iter::once(r.id.clone()).chain(r.copies()))
        .filter(|k| keys.all().any(|own| own == k))
        .collect()
}

/// Which of the records read under a sender's keys is theirs: the one
/// known by their BSUID, else by their parent BSUID, else by their number
/// unless it knows another BSUID (a number passed to someone else comes
/// with their own BSUID).
fn theirs(keys: &IdKeys, found: &[Reporter]) -> Option<Reporter> {
    let by = |pick: fn(&IdKeys) -> &Option<ReporterId>| {
        let wanted = pick(keys).as_ref()?;
        found.iter().find(|r| pick(&r.keys()).as_ref() == Some(wanted))
    };
    by(|k| &k.user)
        .or_else(|| by(|k| &k.parent))
        .or_else(|| {
            by(|k| &k.phone).filter(|r| {
                let known = r.keys().user;
                keys.user.is_none() || known.is_none() || known == keys.user
            })
        })
        .cloned()
}
