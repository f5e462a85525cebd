//! Telling the citizen what the sweep did (escalated, auto-closed).
//!
//! The sweep does not send WhatsApp itself: [`OutboxCitizenNotice`] records
//! the message as a pending outbound WhatsApp message in the outbox (the
//! webhook's own pending-message record), and the outbox retry sends it, in
//! this sweep or the next.

use std::future::Future;
use std::pin::Pin;

use aduan_shared::domain::case::Case;
use aduan_shared::domain::timeline::{Actor, DeliveryStatus, EventBody, TimelineEvent};
use aduan_shared::store::{PendingOutbound, Store};
use aduan_shared::texts::{render, Texts};
use aduan_shared::whatsapp::outbound::Outbound;
use chrono::{DateTime, Utc};

pub type NoticeFuture<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// What the citizen is told after a sweep's change.
pub trait CitizenNotice: Send + Sync {
    /// The case was raised a level (`event` is the `Escalated` event).
    fn escalated<'a>(
        &'a self,
        case: &'a Case,
        event: &'a TimelineEvent,
        now: DateTime<Utc>,
    ) -> NoticeFuture<'a>;
    /// The resolved case was closed because the citizen did not answer.
    fn auto_closed<'a>(
        &'a self,
        case: &'a Case,
        event: &'a TimelineEvent,
        now: DateTime<Utc>,
    ) -> NoticeFuture<'a>;
}

/// Queues the citizen's message in the outbox as a pending WhatsApp message.
pub struct OutboxCitizenNotice {
    pub store: Store,
    pub texts: Texts,
}

impl OutboxCitizenNotice {
    async fn queue(&self, case: &Case, text: String, now: DateTime<Utc>) -> Result<(), String> {
        let event = TimelineEvent::new(
            now,
            Actor::System,
            EventBody::Outbound {
                text: text.clone(),
                via_template: false,
                status: DeliveryStatus::Pending,
                provider_message_id: None,
                error: None,
            },
        );
        let pending = PendingOutbound {
            case_id: case.id.clone(),
            event,
            payload: Outbound::text(text),
            attempts: 0,
        };
        self.store
            .record_pending(&pending, now)
            .await
            .map_err(|e| e.to_string())
    }
}

impl CitizenNotice for OutboxCitizenNotice {
    fn escalated<'a>(
        &'a self,
        case: &'a Case,
        event: &'a TimelineEvent,
        now: DateTime<Utc>,
    ) -> NoticeFuture<'a> {
        Box::pin(async move {
            let EventBody::Escalated { to, .. } = &event.body else {
                return Ok(());
            };
            let text = render(
                &self.texts.escalated,
                &[
                    ("ticket", case.ticket.as_str()),
                    ("level", self.texts.level_name(to)),
                ],
            );
            self.queue(case, text, now).await
        })
    }

    fn auto_closed<'a>(
        &'a self,
        case: &'a Case,
        _event: &'a TimelineEvent,
        now: DateTime<Utc>,
    ) -> NoticeFuture<'a> {
        Box::pin(async move {
            let text = render(&self.texts.auto_closed, &[("ticket", case.ticket.as_str())]);
            self.queue(case, text, now).await
        })
    }
}
