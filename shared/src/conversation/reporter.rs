//! What the desk remembers about a citizen between their messages.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::limits::Activity;
use super::{Awaiting, OpenCase};
use crate::domain::case::{Case, CaseId};
use crate::domain::identity::IdKeys;
use crate::domain::privacy::Retention;
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
    /// The old or resolved open case they said their messages add to: not
    /// asked "new or addition?" about again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additions_to: Option<CaseId>,
    /// What their limits count ([`super::limits`]); absent on older records.
    #[serde(default)]
    pub activity: Activity,
    /// The ids of other records of the same person merged into this one
    /// ([`Reporter::absorb`]): the cases that name them are this reporter's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absorbed: Vec<ReporterId>,
    /// When the record, and the contact with it, goes: none while a case of
    /// theirs is open, else the contact retention after the last one
    /// closed. Stored as the table's TTL attribute (epoch seconds) on the
    /// record and every copy; TTL deletes late, so past this time the
    /// contact is never opened ([`Reporter::contact_at`]).
    #[serde(
        rename = "expires_at",
        default,
        skip_serializing_if = "Option::is_none",
        with = "chrono::serde::ts_seconds_option"
    )]
    pub contact_expires_at: Option<DateTime<Utc>>,
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
            additions_to: None,
            activity: Activity::default(),
            absorbed: Vec::new(),
            contact_expires_at: None,
            version: 0,
        }
    }

    /// Restriction of processing for messages (`BERHENTI`, or a request
    /// made by other means): from now on no message goes to them but
    /// replies to what they send. Stopped already, it stays from then.
    pub fn stop(&mut self, now: DateTime<Utc>) {
        self.stopped_at = Some(self.stopped_at.unwrap_or(now));
    }

    /// The restriction lifted (`MULAI`).
    pub fn resume(&mut self) {
        self.stopped_at = None;
    }

    /// The sealed contact, unless its retention has run out by `now` (the
    /// record then counts as gone, whether or not TTL has deleted it yet).
    pub fn contact_at(&self, now: DateTime<Utc>) -> Option<&SealedContact> {
        match self.contact_expires_at {
            Some(at) if at <= now => None,
            _ => Some(&self.contact),
        }
    }

    /// Sets when the contact goes after a message of theirs: never while a
    /// case of theirs is open; the retention from `now` when none is and
    /// no time is set yet (their last case just closed, they opened none,
    /// or the record predates retention). A time already set stands: it
    /// counts from their last case's close, not from their last message.
    pub fn settle_retention(&mut self, retention: Retention, now: DateTime<Utc>) {
        if self.activity.has_open_cases() {
            self.contact_expires_at = None;
        } else if self.contact_expires_at.is_none() {
            self.contact_expires_at = Some(now + retention.duration());
        }
    }

    /// A case of theirs closed: it no longer counts as open, and the
    /// contact's time is to be counted again from now
    /// ([`Reporter::settle_retention`]), not kept from an earlier close.
    pub fn case_closed(&mut self, id: &CaseId) {
        self.activity.closed(id);
        self.contact_expires_at = None;
    }

    /// A case of theirs closed or reopened by an official or the sweep, at
    /// `at`: its place among their open cases, and the contact's time
    /// recomputed (from `at` when it was their last open case). Whether the
    /// record changed: a record whose contact's time has run out is left
    /// alone, so that a reopening never brings an expired contact back.
    pub fn case_changed(&mut self, case: &Case, retention: Retention, at: DateTime<Utc>) -> bool {
        if self.contact_at(at).is_none() {
            return false;
        }
        let before = (self.activity.clone(), self.contact_expires_at);
        if case.status.is_open() {
            self.activity.reopened(OpenCase {
                id: case.id.clone(),
                ticket: case.ticket.clone(),
            });
        } else {
            self.case_closed(&case.id);
        }
        self.settle_retention(retention, at);
        before != (self.activity.clone(), self.contact_expires_at)
    }

    /// Whether a case naming `reporter` is this reporter's: their own, or
    /// one of a record merged into theirs.
    pub fn owns(&self, reporter: &ReporterId) -> bool {
        self.id == *reporter || self.absorbed.contains(reporter)
    }

    /// The ids their cases name: their own and those merged into it.
    pub fn case_owners(&self) -> Vec<ReporterId> {
        std::iter::once(self.id.clone())
            .chain(self.absorbed.iter().cloned())
            .collect()
    }

    /// Takes in another record of the same person (found by their number,
    /// while this one was found by their BSUID): its cases become this
    /// reporter's, and its conversation carries on where this one has none,
    /// so the question they were asked there still gets its answer.
    pub fn absorb(&mut self, other: &Reporter) {
        if self.open_case.is_none() && self.awaiting.is_none() {
            self.open_case = other.open_case.clone();
            self.awaiting = other.awaiting.clone();
        } else if self.awaiting.is_none() {
            // A question about a case of theirs, not about the open case.
            self.awaiting = other
                .awaiting
                .clone()
                .filter(|a| matches!(a, Awaiting::Confirmation { .. } | Awaiting::Rating { .. }));
        }
        // Stopped on either record: they asked for quiet, and `MULAI` undoes it.
        self.stopped_at = match (self.stopped_at, other.stopped_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.followup_acked_at = self.followup_acked_at.max(other.followup_acked_at);
        self.last_inbound_at = self.last_inbound_at.max(other.last_inbound_at);
        self.activity.absorb(&other.activity);
        // The later of the two; none if either has none (recomputed when
        // the merged record is written).
        self.contact_expires_at = match (self.contact_expires_at, other.contact_expires_at) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        for id in std::iter::once(&other.id).chain(&other.absorbed) {
            if !self.owns(id) {
                self.absorbed.push(id.clone());
            }
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

    /// Whether the record is kept under `key` (its id or a copy).
    pub fn owns_key(&self, key: &ReporterId) -> bool {
        self.id == *key || self.copies().contains(key)
    }

    /// The keys the record is copied under: those it is known by, but its
    /// id, and the ids of records merged into it (the cases naming them
    /// find it there, even once the number they were kept under moves on).
    pub fn copies(&self) -> Vec<ReporterId> {
        let mut copies: Vec<ReporterId> = Vec::new();
        for key in self.keys().all().chain(&self.absorbed) {
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
    /// Another record of the same person, to be merged into theirs: kept
    /// under their number's key from before they were known by a BSUID,
    /// while their record was started by a delivery that withheld the
    /// number. This message's write replaces it by a copy of theirs.
    pub absorbed: Option<Reporter>,
}

/// Resolves a sender's keys against the records read under them; none when
/// every key of a new sender is another reporter's (a number that changed
/// hands, arriving without a BSUID).
pub fn resolve(keys: &IdKeys, found: &[Reporter]) -> Option<Resolved> {
    let reporter = theirs(keys, found);
    let absorbed = reporter
        .as_ref()
        .and_then(|r| same_person_by_number(keys, found, r));
    let mut taken = kept_by_others(keys, found, reporter.as_ref().map(|r| &r.id));
    if let Some(other) = &absorbed {
        taken.retain(|k| !other.owns_key(k));
    }
    let id = match &reporter {
        Some(r) => r.id.clone(),
        None => [keys.new_reporter_id()]
            .into_iter()
            .chain(keys.all().cloned())
            .find(|k| !taken.contains(k))?,
    };
    Some(Resolved {
        reporter,
        id,
        taken,
        absorbed,
    })
}

/// A record other than `theirs` kept under the sender's number that knows
/// no BSUID of another person: the same citizen, known by the number alone
/// before. One that knows another BSUID (or another parent) is someone the
/// number belonged to before, and stays theirs.
fn same_person_by_number(keys: &IdKeys, found: &[Reporter], theirs: &Reporter) -> Option<Reporter> {
    let phone = keys.phone.as_ref()?;
    let differs = |a: &Option<ReporterId>, b: &Option<ReporterId>| a.is_some() && b.is_some() && a != b;
    found
        .iter()
        .find(|r| {
            let known = r.keys();
            r.id != theirs.id
                && known.phone.as_ref() == Some(phone)
                && !differs(&known.user, &keys.user)
                && !differs(&known.parent, &keys.parent)
        })
        .cloned()
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
