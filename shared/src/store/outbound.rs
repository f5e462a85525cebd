//! Messages we send citizens: recorded on the case timeline with their
//! delivery status; pending ones wait in the outbox for the sweep.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::codec::{from_item, s, to_item};
use super::items::{OutboundItem, PendingOutbound, SavedReply};
use super::tx::{Conflict, Tx};
use super::{keys, Store, StoreError};
use crate::domain::case::{CaseId, Provider};
use crate::domain::timeline::{DeliveryStatus, EventBody, EventId, TimelineEvent};
use crate::whatsapp::StatusUpdate;

#[derive(Serialize, Deserialize)]
struct SentPointer {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    case_id: Option<CaseId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    event_id: Option<EventId>,
    /// A status that arrived before we had recorded what it refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    early_status: Option<DeliveryStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    early_error: Option<String>,
    expires_at: i64,
}

/// Status callbacks come for days at most; pointers are kept a little longer.
const POINTER_RETENTION_DAYS: i64 = 30;

impl Store {
    /// Records a message that went out, and where its provider id points,
    /// in one transaction.
    pub async fn record_sent(
        &self,
        provider: Provider,
        case_id: &CaseId,
        event: &TimelineEvent,
    ) -> Result<(), StoreError> {
        let Some(message_id) = provider_id(event) else {
            return Err(StoreError::Corrupt(
                "a sent message without its provider id".into(),
            ));
        };
        let mut tx = Tx::new(&self.table);
        tx.put(to_item(&OutboundItem::new(case_id, event)));
        let pointer = SentPointer {
            pk: keys::provider_message_pk(provider, &message_id),
            sk: keys::PROVIDER_MESSAGE_SK.to_owned(),
            case_id: Some(case_id.clone()),
            event_id: Some(event.id.clone()),
            early_status: None,
            early_error: None,
            expires_at: (event.at + chrono::Duration::days(POINTER_RETENTION_DAYS)).timestamp(),
        };
        tx.put_new(to_item(&pointer), Conflict::DuplicateMessage);
        match tx.commit(&self.client).await {
            // A status callback got here first and left its status: take it.
            Err(StoreError::DuplicateMessage) => {
                self.adopt_early_status(provider, &message_id, case_id, event)
                    .await
            }
            other => other,
        }
    }

    async fn adopt_early_status(
        &self,
        provider: Provider,
        message_id: &str,
        case_id: &CaseId,
        event: &TimelineEvent,
    ) -> Result<(), StoreError> {
        let pk = keys::provider_message_pk(provider, message_id);
        let early: Option<SentPointer> = self
            .get(pk.clone(), keys::PROVIDER_MESSAGE_SK)
            .await?
            .map(from_item)
            .transpose()?;
        let mut record = OutboundItem::new(case_id, event);
        if let Some(status) = early.as_ref().and_then(|p| p.early_status) {
            if status.rank() > record.delivery_rank {
                set_status(
                    &mut record.event,
                    status,
                    early.as_ref().and_then(|p| p.early_error.clone()),
                );
                record.delivery_rank = status.rank();
            }
        }
        let pointer = SentPointer {
            pk,
            sk: keys::PROVIDER_MESSAGE_SK.to_owned(),
            case_id: Some(case_id.clone()),
            event_id: Some(event.id.clone()),
            early_status: None,
            early_error: None,
            expires_at: (event.at + chrono::Duration::days(POINTER_RETENTION_DAYS)).timestamp(),
        };
        let mut tx = Tx::new(&self.table);
        tx.put(to_item(&record));
        tx.put(to_item(&pointer));
        tx.commit(&self.client).await
    }

    /// Records a message that needs no further attempt (given up on, or
    /// answered inline through the provider's webhook response), out of
    /// the outbox.
    pub async fn record_final(&self, case_id: &CaseId, event: &TimelineEvent) -> Result<(), StoreError> {
        self.put(to_item(&OutboundItem::new(case_id, event))).await
    }

    /// Records a message that did not go out, for the sweep to retry at
    /// `next_attempt`.
    pub async fn record_pending(
        &self,
        pending: &PendingOutbound,
        next_attempt: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.put(to_item(&OutboundItem::pending(pending, next_attempt)))
            .await
    }

    /// Pending WhatsApp messages due by `now`, oldest first.
    pub async fn pending_outbound(
        &self,
        now: DateTime<Utc>,
        limit: i32,
    ) -> Result<Vec<PendingOutbound>, StoreError> {
        let out = self
            .due_query(keys::OUTBOX_WHATSAPP, now)
            .limit(limit)
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        let mut pending = Vec::new();
        for item in out.items.unwrap_or_default() {
            let record: OutboundItem = from_item(item)?;
            if let Some(payload) = record.payload {
                pending.push(PendingOutbound {
                    case_id: record.case_id,
                    event: record.event,
                    payload,
                    attempts: record.attempts,
                });
            }
        }
        Ok(pending)
    }

    /// Takes a pending message for one attempt: only one sweep can claim a
    /// given attempt, and the claim moves its next attempt to `lease_until`
    /// so a crashed attempt is retried later rather than lost.
    pub async fn claim_outbound(
        &self,
        pending: &PendingOutbound,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::case_pk(&pending.case_id)))
            .key(keys::SK, s(&keys::event_sk(&pending.event.id)))
            .update_expression("SET attempts = :next, #tsk = :lease")
            .condition_expression("attempts = :seen AND attribute_exists(payload)")
            .expression_attribute_names("#tsk", keys::BY_TIME.sk)
            .expression_attribute_values(":next", AttributeValue::N((pending.attempts + 1).to_string()))
            .expression_attribute_values(":seen", AttributeValue::N(pending.attempts.to_string()))
            .expression_attribute_values(
                ":lease",
                s(&keys::outbox_sk(
                    lease_until,
                    keys::OUTBOX_WHATSAPP,
                    &pending.case_id,
                    &pending.event.id,
                )),
            )
            .return_values(ReturnValue::None)
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => Ok(false),
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }

    /// Takes a message saved as pending for one attempt, if it still is and
    /// its next attempt is due by `now`, in one conditional update that
    /// returns it: a redelivered message's reply, known by its key alone.
    /// The claim moves its next attempt to `lease_until` and counts the
    /// attempt, so a sweep that read it before fails its own claim
    /// ([`Store::claim_outbound`]). The message comes back with the attempts
    /// made before this one, as the sweep's do.
    pub async fn claim_due_outbound(
        &self,
        reply: &SavedReply,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<PendingOutbound>, StoreError> {
        let lease = keys::outbox_sk(
            lease_until,
            keys::OUTBOX_WHATSAPP,
            &reply.case_id,
            &reply.event_id,
        );
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::case_pk(&reply.case_id)))
            .key(keys::SK, s(&keys::event_sk(&reply.event_id)))
            .update_expression("SET attempts = attempts + :one, #tsk = :lease")
            .condition_expression("attribute_exists(payload) AND #tsk <= :due")
            .expression_attribute_names("#tsk", keys::BY_TIME.sk)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":lease", s(&lease))
            .expression_attribute_values(":due", s(&keys::upper_bound(now)))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        let item = match result {
            Ok(out) => out.attributes.unwrap_or_default(),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                return Ok(None)
            }
            Err(e) => return Err(StoreError::from_sdk(e)),
        };
        let record: OutboundItem = from_item(item)?;
        Ok(record.payload.map(|payload| PendingOutbound {
            case_id: record.case_id,
            event: record.event,
            payload,
            attempts: record.attempts.saturating_sub(1),
        }))
    }

    /// Applies a delivery status callback. Statuses for messages we never
    /// recorded (yet) are kept, not lost; older statuses never replace newer.
    pub async fn apply_delivery_status(&self, update: &StatusUpdate) -> Result<(), StoreError> {
        let pk = keys::provider_message_pk(update.provider, &update.message_id);
        let pointer: Option<SentPointer> = self
            .get(pk.clone(), keys::PROVIDER_MESSAGE_SK)
            .await?
            .map(from_item)
            .transpose()?;
        let error = update
            .error
            .as_ref()
            .map(|(code, title)| format!("{code}: {title}"));
        match pointer {
            Some(SentPointer {
                case_id: Some(case_id),
                event_id: Some(event_id),
                ..
            }) => {
                self.update_delivery(&case_id, &event_id, update.status, error)
                    .await
            }
            existing => {
                let early_rank = existing
                    .as_ref()
                    .and_then(|p| p.early_status)
                    .map_or(0, DeliveryStatus::rank);
                if update.status.rank() <= early_rank {
                    return Ok(());
                }
                let pointer = SentPointer {
                    pk,
                    sk: keys::PROVIDER_MESSAGE_SK.to_owned(),
                    case_id: None,
                    event_id: None,
                    early_status: Some(update.status),
                    early_error: error,
                    expires_at: (update.at + chrono::Duration::days(POINTER_RETENTION_DAYS)).timestamp(),
                };
                // Only while no real pointer exists; if one appeared meanwhile, apply to it.
                let put = self
                    .client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(to_item(&pointer)))
                    .condition_expression("attribute_not_exists(case_id)")
                    .send()
                    .await;
                match put {
                    Ok(_) => Ok(()),
                    Err(SdkError::ServiceError(e))
                        if matches!(e.err(), PutItemError::ConditionalCheckFailedException(_)) =>
                    {
                        Box::pin(self.apply_delivery_status(update)).await
                    }
                    Err(e) => Err(StoreError::from_sdk(e)),
                }
            }
        }
    }

    async fn update_delivery(
        &self,
        case_id: &CaseId,
        event_id: &EventId,
        status: DeliveryStatus,
        error: Option<String>,
    ) -> Result<(), StoreError> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::case_pk(case_id)))
            .key(keys::SK, s(&keys::event_sk(event_id)))
            .condition_expression("attribute_exists(#pk) AND delivery_rank < :rank")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#body", "body")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":status", s(status.as_str()))
            .expression_attribute_values(":rank", AttributeValue::N(status.rank().to_string()));
        request = match error {
            Some(error) => request
                .update_expression(
                    "SET #body.#status = :status, delivery_rank = :rank, #body.#error = :error",
                )
                .expression_attribute_names("#error", "error")
                .expression_attribute_values(":error", s(&error)),
            None => request.update_expression("SET #body.#status = :status, delivery_rank = :rank"),
        };
        match request.send().await {
            Ok(_) => Ok(()),
            // An older or equal status: the newer one stays.
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => Ok(()),
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }
}

fn provider_id(event: &TimelineEvent) -> Option<String> {
    match &event.body {
        EventBody::Outbound {
            provider_message_id, ..
        } => provider_message_id.clone(),
        _ => None,
    }
}

fn set_status(event: &mut TimelineEvent, new: DeliveryStatus, new_error: Option<String>) {
    if let EventBody::Outbound { status, error, .. } = &mut event.body {
        *status = new;
        if new_error.is_some() {
            *error = new_error;
        }
    }
}
