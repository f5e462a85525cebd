//! Erased cases' files still to be deleted from the media bucket. An
//! erasure puts one small item per case whose files go (its ticket, nothing
//! of the citizen) in the transaction that unlinks the case, in the
//! `OUTBOX#erased-files` partition of `by_time`: whoever erased deletes the
//! files at once and removes the item; if that fails (or never happens),
//! the sweep finds the item by its due time and tries again until the
//! case's prefix in the bucket is empty. Deleting a prefix twice is
//! harmless, so two sweeps taking the same item need no claim.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::codec::{from_item, s, to_item};
use super::tx::Tx;
use super::{keys, Store, StoreError};
use crate::domain::ticket::Ticket;

/// Written already leased to the eraser's own attempt for this long: longer
/// than the webhook's Lambda timeout, so the sweep does not race it.
pub const FIRST_ATTEMPT_LEASE: Duration = Duration::minutes(2);

#[derive(Serialize, Deserialize)]
struct ErasedFilesItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(rename = "TimePK")]
    time_pk: String,
    #[serde(rename = "TimeSK")]
    time_sk: String,
    ticket: Ticket,
    attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
}

/// A case whose files are still to be deleted, as the sweep reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDeletion {
    pub ticket: Ticket,
    /// Attempts that failed so far.
    pub attempts: u32,
}

impl Tx<'_> {
    /// Records that `ticket`'s files are to be deleted, due for the sweep
    /// once the eraser's own attempt is over (`now` + [`FIRST_ATTEMPT_LEASE`]).
    pub(super) fn put_files_to_delete(&mut self, ticket: &Ticket, now: DateTime<Utc>) {
        self.put(to_item(&ErasedFilesItem {
            pk: keys::erased_files_pk(ticket),
            sk: keys::ERASED_FILES_SK.to_owned(),
            time_pk: keys::outbox_pk(keys::OUTBOX_ERASED_FILES),
            time_sk: keys::erased_files_time_sk(now + FIRST_ATTEMPT_LEASE, ticket),
            ticket: ticket.clone(),
            attempts: 0,
            last_error: None,
        }));
    }
}

impl Store {
    /// Erased cases whose file deletion is due by `now`, earliest first, at
    /// most `limit`: one Query of the index, never a Scan.
    pub async fn files_to_delete_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<PendingDeletion>, StoreError> {
        let out = self
            .due_query(keys::OUTBOX_ERASED_FILES, now)
            .limit(limit.clamp(1, 100) as i32)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(|item| {
                let item: ErasedFilesItem = from_item(item)?;
                Ok(PendingDeletion {
                    ticket: item.ticket,
                    attempts: item.attempts,
                })
            })
            .collect()
    }

    /// The case's files are gone: nothing more to do for it.
    pub async fn files_deleted(&self, ticket: &Ticket) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::erased_files_pk(ticket)))
            .key(keys::SK, s(keys::ERASED_FILES_SK))
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        Ok(())
    }

    /// A deletion failed again: tried next at `next_attempt`. An item
    /// removed meanwhile (another sweep finished it) is not brought back.
    pub async fn files_delete_failed(
        &self,
        ticket: &Ticket,
        next_attempt: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::erased_files_pk(ticket)))
            .key(keys::SK, s(keys::ERASED_FILES_SK))
            .update_expression("SET #tsk = :next, last_error = :error, attempts = attempts + :one")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#tsk", keys::BY_TIME.sk)
            .expression_attribute_values(":next", s(&keys::erased_files_time_sk(next_attempt, ticket)))
            .expression_attribute_values(":error", s(error))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => Ok(()),
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }
}
