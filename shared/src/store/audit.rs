//! The audit of officials' reads and actions: a read's entry is one
//! PutItem; an act's rides in the act's own transaction ([`Store::save_case_audited`],
//! [`Store::record_pending_audited`]); a case's trail is one Query, newest first.

use chrono::{DateTime, Utc};

use super::codec::{from_item, is_expired, s, to_item};
use super::items::{AuditItem, PendingOutbound};
use super::tx::Tx;
use super::{keys, Store, StoreError};
use crate::domain::audit::AuditEntry;
use crate::domain::case::CaseId;
use crate::domain::timeline::EventId;

/// Where a page of a case's trail continues: the sort key of the last entry
/// returned (its time and id), checked to be one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCursor(String);

impl AuditCursor {
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        let (at, id) = raw.split_once('#').ok_or(StoreError::BadCursor)?;
        let at = DateTime::parse_from_rfc3339(at).map_err(|_| StoreError::BadCursor)?;
        let id = EventId::parse(id).ok_or(StoreError::BadCursor)?;
        Ok(Self(keys::audit_sk(at.with_timezone(&Utc), &id)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntry>,
    /// Present when older entries follow.
    pub next: Option<AuditCursor>,
}

impl Store {
    /// Records an official's read: one PutItem.
    pub async fn record_read(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.put(to_item(&AuditItem::new(entry))).await
    }

    /// Saves a message an official writes to the citizen, pending as
    /// [`Store::record_pending`] does, with its audit entry, in one
    /// transaction.
    pub async fn record_pending_audited(
        &self,
        pending: &PendingOutbound,
        next_attempt: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new(&self.table);
        tx.put_pending_message(Some((pending, next_attempt)));
        tx.put_audit(Some(audit));
        tx.commit(&self.client).await
    }

    /// Up to `limit` entries of a case's trail, newest first, older than
    /// `before` (from the newest without): one Query.
    pub async fn case_audit(
        &self,
        id: &CaseId,
        before: Option<&AuditCursor>,
        limit: usize,
    ) -> Result<AuditPage, StoreError> {
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":pk", s(&keys::audit_case_pk(id)))
            .scan_index_forward(false)
            // One more than a page: whether older entries follow.
            .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX));
        request = match before {
            None => request.key_condition_expression("#pk = :pk"),
            Some(cursor) => request
                .key_condition_expression("#pk = :pk AND #sk < :before")
                .expression_attribute_names("#sk", keys::SK)
                .expression_attribute_values(":before", s(cursor.as_str())),
        };
        let out = request.send().await.map_err(StoreError::from_sdk)?;
        let now = Utc::now();
        let mut items = out.items.unwrap_or_default();
        let more = items.len() > limit;
        items.truncate(limit);
        let next = match (more, items.last()) {
            (true, Some(last)) => last
                .get(keys::SK)
                .and_then(|v| v.as_s().ok())
                .map(|sk| AuditCursor(sk.clone())),
            _ => None,
        };
        let entries = items
            .into_iter()
            .filter(|item| !is_expired(item, now))
            .map(|item| from_item::<AuditItem>(item).map(|i| i.entry))
            .collect::<Result<_, _>>()?;
        Ok(AuditPage { entries, next })
    }
}
