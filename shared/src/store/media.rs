//! Citizens' files on their way into the media bucket. A message whose file
//! is still to be fetched is its own outbox entry: the event item sits in the
//! `OUTBOX#media` partition of `by_time` from the transaction that records
//! the message, so a file is never forgotten, whatever happens after. The
//! webhook owns the first attempt (the entry is leased to it until
//! [`keys::MEDIA_FIRST_ATTEMPT_LEASE`] after the message arrived); the sweep claims the
//! later ones like any outbox entry ([`Store::claim_entry`]).

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::AttributeValue;

use super::codec::s;
use super::outbox::OutboxEntry;
use super::{keys, Store, StoreError};
use crate::domain::case::CaseId;
use crate::domain::timeline::{MediaStorage, StoredFile, TimelineEvent};

/// The webhook's own first attempt at a file it has just recorded as
/// pending, as the outbox entry it owns until its lease runs out.
pub fn first_attempt(case_id: &CaseId, event: &TimelineEvent) -> OutboxEntry {
    OutboxEntry {
        kind: keys::OUTBOX_MEDIA.to_owned(),
        case_id: case_id.clone(),
        event_id: event.id.clone(),
        next_attempt: event.at + keys::MEDIA_FIRST_ATTEMPT_LEASE,
        attempts: 0,
        last_error: None,
        pk: keys::case_pk(case_id),
        sk: keys::event_sk(&event.id),
        time_sk: keys::media_first_lease_sk(case_id, event),
    }
}

/// How a file's wait ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEnd {
    Stored(StoredFile),
    /// Over the size limit: why, in words.
    TooLarge(String),
    /// Given up: the last error.
    Failed(String),
}

impl Store {
    /// Records what became of a pending file on its message event and takes
    /// the event out of the outbox, if the caller still owns the entry (its
    /// `time_sk` is the one the caller wrote or was leased). `Ok(false)`
    /// when it did not: nothing was changed.
    pub async fn finish_media(&self, owned: &OutboxEntry, end: MediaEnd) -> Result<bool, StoreError> {
        let (stored, file, error) = match end {
            MediaEnd::Stored(file) => (MediaStorage::Stored, Some(file), None),
            MediaEnd::TooLarge(why) => (MediaStorage::TooLarge, None, Some(why)),
            MediaEnd::Failed(why) => (MediaStorage::Failed, None, Some(why)),
        };
        let mut set = vec!["#body.#stored = :stored"];
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(&owned.pk))
            .key(keys::SK, s(&owned.sk))
            .condition_expression("#tsk = :mine")
            .expression_attribute_names("#body", "body")
            .expression_attribute_names("#stored", "stored")
            .expression_attribute_names("#tpk", keys::BY_TIME.pk)
            .expression_attribute_names("#tsk", keys::BY_TIME.sk)
            .expression_attribute_values(":stored", s(stored.as_str()))
            .expression_attribute_values(":mine", s(&owned.time_sk));
        if let Some(file) = file {
            set.push("#body.#file = :file");
            let value: AttributeValue =
                serde_dynamo::to_attribute_value(&file).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            request = request
                .expression_attribute_names("#file", "file")
                .expression_attribute_values(":file", value);
        }
        if let Some(error) = error {
            set.push("#body.#error = :error");
            request = request
                .expression_attribute_names("#error", "store_error")
                .expression_attribute_values(":error", s(&error));
        }
        let result = request
            .update_expression(format!("SET {} REMOVE #tpk, #tsk", set.join(", ")))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => Ok(false),
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }
}
