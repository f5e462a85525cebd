//! Publishing escalations: [`EscalationNotifier`] sends the message, and on
//! failure leaves the publish in the outbox for the sweep instead of failing;
//! the sweep retries it with the [`RetryPolicy`] and in the end gives up and
//! flags it on the case.

use chrono::{DateTime, FixedOffset, Utc};

use super::message::{escalation_message, MessageContext, NotAnEscalation};
use crate::domain::case::Case;
use crate::domain::jurisdiction::Jurisdictions;
use crate::domain::sla::WIB_OFFSET_SECONDS;
use crate::domain::timeline::{EventBody, TimelineEvent};
use crate::notify::names::level_name;
use crate::notify::retry::RetryPolicy;
use crate::notify::sns::{PublishError, SnsMessage, SnsPublisher};
use crate::store::{AttemptEnd, OutboxEntry, Store, StoreError};

/// What became of a publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishOutcome {
    Published {
        message_id: String,
    },
    /// Not published: recorded in the outbox; the sweep retries it.
    Pending {
        error: String,
    },
}

/// What a retry of an outbox entry did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryOutcome {
    Published,
    /// Failed again; retried later.
    Rescheduled,
    /// Failed for the last allowed time: flagged on the case.
    GaveUp,
    /// Another sweep had it, or it was finished meanwhile.
    Skipped,
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    NotAnEscalation(#[from] NotAnEscalation),
    /// The outbox could not be written or read: the escalation itself is
    /// saved, but nothing records that its publish is missing.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Publishes escalations; what fails to go out waits in the outbox.
#[derive(Clone)]
pub struct EscalationNotifier {
    sns: SnsPublisher,
    store: Store,
    topic_arn: String,
    console_base_url: Option<String>,
    offset: FixedOffset,
    retry: RetryPolicy,
}

impl EscalationNotifier {
    pub fn new(sns: SnsPublisher, store: Store, topic_arn: impl Into<String>) -> Self {
        Self {
            sns,
            store,
            topic_arn: topic_arn.into(),
            console_base_url: None,
            offset: FixedOffset::east_opt(WIB_OFFSET_SECONDS).expect("WIB is a valid offset"),
            retry: RetryPolicy::default(),
        }
    }

    /// The officials' console, for the link in escalation emails.
    pub fn with_console_base_url(mut self, url: Option<String>) -> Self {
        self.console_base_url = url;
        self
    }

    pub fn with_offset(mut self, offset: FixedOffset) -> Self {
        self.offset = offset;
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
    }

    /// The message for an escalation, as this notifier would publish it.
    pub fn message(
        &self,
        case: &Case,
        event: &TimelineEvent,
        tree: &Jurisdictions,
    ) -> Result<SnsMessage, NotAnEscalation> {
        escalation_message(
            case,
            event,
            &MessageContext {
                tree,
                console_base_url: self.console_base_url.as_deref(),
                offset: self.offset,
            },
        )
    }

    /// Publishes the escalation `event` of `case` (already saved). If SNS
    /// fails, the publish is recorded in the outbox for the sweep and the
    /// outcome is `Pending`: the caller answers as usual. `Err` only when the
    /// event is not an escalation or the outbox cannot be written.
    pub async fn publish_escalation(
        &self,
        case: &Case,
        event: &TimelineEvent,
        tree: &Jurisdictions,
    ) -> Result<PublishOutcome, NotifyError> {
        let message = self.message(case, event, tree)?;
        match self.sns.publish(&self.topic_arn, &message).await {
            Ok(message_id) => Ok(PublishOutcome::Published { message_id }),
            Err(PublishError(error)) => {
                tracing::warn!(case = %case.id, ticket = %case.ticket, %error, "escalation publish failed; left for the sweep");
                let next = self.retry.next_attempt(1, event.at);
                self.store
                    .record_pending_publish(&case.id, &event.id, next, 1, &error)
                    .await?;
                Ok(PublishOutcome::Pending { error })
            }
        }
    }

    /// Publishes an escalation whose pending entry was saved with the case
    /// ([`Store::save_case_with_pending_publish`]) and deletes the entry; on
    /// failure the entry is rescheduled with its error.
    pub async fn publish_recorded(
        &self,
        case: &Case,
        event: &TimelineEvent,
        tree: &Jurisdictions,
        entry: &OutboxEntry,
    ) -> Result<PublishOutcome, NotifyError> {
        let message = self.message(case, event, tree)?;
        match self.sns.publish(&self.topic_arn, &message).await {
            Ok(message_id) => {
                self.store.finish_attempt(entry, AttemptEnd::Done).await?;
                Ok(PublishOutcome::Published { message_id })
            }
            Err(PublishError(error)) => {
                let next = self.retry.next_attempt(1, event.at);
                // Count this attempt: the entry was saved with none.
                if let Some(claimed) = self.store.claim_entry(entry, next).await? {
                    self.store
                        .finish_attempt(&claimed, AttemptEnd::RetryAt(next, error.clone()))
                        .await?;
                }
                Ok(PublishOutcome::Pending { error })
            }
        }
    }

    /// Retries one due `escalation` outbox entry: claims it (so two sweeps
    /// never both publish it), publishes, and deletes it; or reschedules it
    /// with backoff; or, after the last allowed attempt, gives up and flags
    /// it on the case's timeline.
    pub async fn retry_entry(
        &self,
        entry: &OutboxEntry,
        tree: &Jurisdictions,
        now: DateTime<Utc>,
    ) -> Result<RetryOutcome, NotifyError> {
        let Some(claimed) = self.store.claim_entry(entry, now + self.retry.lease).await? else {
            return Ok(RetryOutcome::Skipped);
        };
        let case = self.store.case(&entry.case_id).await?;
        let event = self.store.timeline_event(&entry.case_id, &entry.event_id).await?;
        let result = match (&case, &event) {
            (Some(case), Some(event)) => {
                let message = self.message(case, event, tree)?;
                self.sns
                    .publish(&self.topic_arn, &message)
                    .await
                    .map_err(|PublishError(e)| e)
            }
            _ => Err("the case or its escalation event is missing".to_owned()),
        };
        let end = match result {
            Ok(_) => AttemptEnd::Done,
            Err(error) if claimed.attempts >= self.retry.max_attempts => {
                let level = match event.as_ref().map(|e| &e.body) {
                    Some(EventBody::Escalated { to, .. }) => level_name(tree, to),
                    Some(EventBody::Forwarded { to, .. }) => level_name(tree, &to.level),
                    _ => "?".to_owned(),
                };
                AttemptEnd::GiveUp {
                    note: format!(
                        "Pemberitahuan eskalasi ke {level} tidak terkirim ke petugas setelah {} percobaan: {error}",
                        claimed.attempts
                    ),
                    error,
                    at: now,
                }
            }
            Err(error) => AttemptEnd::RetryAt(self.retry.next_attempt(claimed.attempts, now), error),
        };
        let outcome = match &end {
            AttemptEnd::Done => RetryOutcome::Published,
            AttemptEnd::RetryAt(..) => RetryOutcome::Rescheduled,
            AttemptEnd::GiveUp { .. } => RetryOutcome::GaveUp,
        };
        if self.store.finish_attempt(&claimed, end).await? {
            Ok(outcome)
        } else {
            Ok(RetryOutcome::Skipped)
        }
    }
}
