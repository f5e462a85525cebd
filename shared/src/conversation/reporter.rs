//! What the desk remembers about a citizen between their messages.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::limits::Activity;
use super::{Awaiting, OpenCase};
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
    pub last_inbound_at: DateTime<Utc>,
    /// When they sent `BERHENTI`: no message goes to them but replies to
    /// what they send, until `MULAI`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<DateTime<Utc>>,
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
            last_inbound_at,
            stopped_at: None,
            activity: Activity::default(),
            version: 0,
        }
    }
}
