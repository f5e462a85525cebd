//! `POST /cases/{ticket}/messages`: an officer writes to the citizen on
//! WhatsApp, through the number the case came in on. Inside the 24-hour
//! window it goes as a normal message, outside it as the approved template;
//! the response says which (or that it waits for a retry).

use aduan_shared::domain::audit::Act;
use chrono::{DateTime, Utc};
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use super::{json_body, ok, required, text_field, visible_case};
use crate::audit;
use crate::auth::Official;
use crate::error::ApiError;
use crate::outbound::{Notice, Notification};
use crate::state::AppState;

/// What fits a template parameter too, so the message can always go out.
pub const MAX_MESSAGE_CHARS: usize = 1000;

#[derive(Debug, Deserialize)]
struct MessageRequest {
    text: Option<String>,
}

#[derive(Serialize)]
struct MessageSent {
    ticket: String,
    #[serde(flatten)]
    notification: Notification,
}

/// The message's text, checked: present, not blank, not too long.
pub fn message_request(body: &[u8]) -> Result<String, ApiError> {
    let body: MessageRequest = json_body(body)?;
    required("text", text_field("text", body.text, MAX_MESSAGE_CHARS)?)
}

pub async fn send(
    state: &AppState,
    official: &Official,
    ticket: &str,
    req: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    official.require_officer()?;
    let text = message_request(req.body().as_ref())?;
    let case = visible_case(state, official, ticket).await?;
    let audit = audit::act(state, official, &case, Act::Message, now);
    let notification = state
        .citizens
        .tell(
            &state.store,
            &case,
            Notice::OfficialMessage { text },
            official.actor(),
            now,
            &audit,
        )
        .await?;
    tracing::info!(ticket = %case.ticket, official = %official.sub, "official message to the citizen");
    ok(&MessageSent {
        ticket: case.ticket.to_string(),
        notification,
    })
}
