//! Item shapes: the domain values plus the key attributes that place them in
//! the table and its indexes. Conversions only; no requests here.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys;
use super::StoreError;
use crate::conversation::{Awaiting, OpenCase};
use crate::domain::case::{Case, CaseId};
use crate::domain::reporter::{ReporterId, SealedContact};
use crate::domain::sla::WorkingCalendar;
use crate::domain::ticket::Ticket;
use crate::domain::timeline::{EventBody, MediaStorage, TimelineEvent};

pub type Item = HashMap<String, AttributeValue>;

pub fn to_item<T: Serialize>(value: &T) -> Item {
    serde_dynamo::to_item(value).expect("our item types always serialise to a map")
}

pub fn from_item<T: for<'de> Deserialize<'de>>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Written, never read back: a case item is read straight into [`Case`],
/// which ignores the key attributes. Deserialising through `flatten` would
/// buffer every attribute first, the larger part of decoding a queue page.
#[derive(Serialize)]
pub struct CaseItem<'a> {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "KotaPK")]
    kota_pk: String,
    #[serde(rename = "KecPK", default, skip_serializing_if = "Option::is_none")]
    kec_pk: Option<String>,
    #[serde(rename = "KelPK", default, skip_serializing_if = "Option::is_none")]
    kel_pk: Option<String>,
    #[serde(rename = "AgencyPK", default, skip_serializing_if = "Option::is_none")]
    agency_pk: Option<String>,
    #[serde(rename = "ReporterPK")]
    reporter_pk: String,
    #[serde(rename = "QueueSK")]
    queue_sk: String,
    #[serde(rename = "TimePK", default, skip_serializing_if = "Option::is_none")]
    time_pk: Option<String>,
    #[serde(rename = "TimeSK", default, skip_serializing_if = "Option::is_none")]
    time_sk: Option<String>,
    #[serde(flatten)]
    case: &'a Case,
}

impl<'a> CaseItem<'a> {
    /// Places the case in the queue indexes of its area (kota, kecamatan,
    /// kelurahan by path depth), its agency's, its reporter's, and, while it
    /// is open, the open-cases-by-due-time partition.
    pub fn from_case(case: &'a Case) -> Self {
        let area = case.area();
        let open_due = case.due_at.filter(|_| case.status.is_open());
        Self {
            pk: keys::case_pk(&case.id),
            sk: keys::CASE_SK.to_owned(),
            kota_pk: area.ancestor_at(1).expect("a path has a root").to_string(),
            kec_pk: area.ancestor_at(2).map(|p| p.to_string()),
            kel_pk: area.ancestor_at(3).map(|p| p.to_string()),
            agency_pk: case.agency.as_ref().map(|p| p.to_string()),
            reporter_pk: case.reporter.as_str().to_owned(),
            queue_sk: keys::queue_sk(case.created_at, &case.ticket),
            time_pk: open_due.map(|_| keys::OPEN_CASES.to_owned()),
            time_sk: open_due.map(|due| keys::open_case_sk(due, &case.id)),
            case,
        }
    }
}

/// A timeline event, stored in its case's partition. Lifecycle events also
/// go into their local day's partition of `by_time`, for digests.
#[derive(Serialize, Deserialize)]
pub struct EventItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "TimePK", default, skip_serializing_if = "Option::is_none")]
    time_pk: Option<String>,
    #[serde(rename = "TimeSK", default, skip_serializing_if = "Option::is_none")]
    time_sk: Option<String>,
    pub case_id: CaseId,
    #[serde(flatten)]
    pub event: TimelineEvent,
    /// Fetch attempts of a pending file (claims count, as in the outbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attempts: Option<u32>,
}

impl EventItem {
    /// A message whose file is still to be fetched waits in the media outbox,
    /// first attempt (the webhook's own) leased until
    /// [`super::media::FIRST_ATTEMPT_LEASE`] after it arrived.
    pub fn new(case_id: &CaseId, event: &TimelineEvent, calendar: &WorkingCalendar) -> Self {
        let on_day_index = matches!(
            event.body,
            EventBody::Opened { .. } | EventBody::StatusChanged { .. } | EventBody::Escalated { .. }
        );
        let media_pending = matches!(
            event.body,
            EventBody::Message {
                stored: Some(MediaStorage::Pending),
                ..
            }
        );
        let (time_pk, time_sk) = if on_day_index {
            (
                Some(keys::day_pk(calendar.local_date(event.at))),
                Some(keys::day_sk(event.at, &event.id)),
            )
        } else if media_pending {
            (
                Some(keys::outbox_pk(keys::OUTBOX_MEDIA)),
                Some(super::media::first_lease_sk(case_id, event)),
            )
        } else {
            (None, None)
        };
        Self {
            pk: keys::case_pk(case_id),
            sk: keys::event_sk(&event.id),
            time_pk,
            time_sk,
            case_id: case_id.clone(),
            event: event.clone(),
            attempts: media_pending.then_some(0),
        }
    }
}

#[derive(Serialize, Deserialize)]
pub struct TicketItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    pub case_id: CaseId,
}

impl TicketItem {
    pub fn new(ticket: &Ticket, case_id: &CaseId) -> Self {
        Self {
            pk: keys::ticket_pk(ticket),
            sk: keys::TICKET_SK.to_owned(),
            case_id: case_id.clone(),
        }
    }
}

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
    pub last_inbound_at: DateTime<Utc>,
    /// Bumped on every write; writes are conditional on the version read.
    pub version: u64,
}

#[derive(Serialize, Deserialize)]
pub struct ReporterItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(flatten)]
    pub reporter: Reporter,
}

impl ReporterItem {
    pub fn new(reporter: &Reporter) -> Self {
        Self {
            pk: keys::reporter_pk(&reporter.id),
            sk: keys::REPORTER_SK.to_owned(),
            reporter: reporter.clone(),
        }
    }
}

/// Marks a provider message id as handled, with the case it went to (none
/// for commands such as `STATUS`).
#[derive(Serialize, Deserialize)]
pub struct InboundItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<CaseId>,
    expires_at: i64,
}

impl InboundItem {
    pub fn new(key: &super::InboundKey, case_id: Option<&CaseId>, expires_at: DateTime<Utc>) -> Self {
        Self {
            pk: keys::inbound_pk(key.provider, &key.message_id),
            sk: keys::INBOUND_SK.to_owned(),
            case_id: case_id.cloned(),
            expires_at: expires_at.timestamp(),
        }
    }
}
