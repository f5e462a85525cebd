//! `POST /cases/{ticket}/escalations`: raises a case to a named level, or one
//! tier up; records it, publishes it to the escalations topic, tells the
//! officials registered at its new holder on WhatsApp and tells the
//! citizen. A publish that fails waits in the outbox for the sweep: the
//! escalation stands and the API still answers; an official's notice that
//! fails is logged, not retried.

use aduan_shared::domain::audit::{Act, AuditEntry};
use aduan_shared::domain::case::{Case, CaseError, Escalation};
use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_shared::domain::ladder::{LadderError, Level};
use aduan_shared::domain::timeline::Actor;
use aduan_shared::domain::timeline::TimelineEvent;
use aduan_shared::notify::citizen::Staged;
use aduan_shared::notify::PublishOutcome;
use aduan_shared::store::StoreError;
use chrono::{DateTime, Duration, Utc};
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use super::actions::MAX_NOTE_CHARS;
use super::{check_version, conflict, json_body, ok, pending, text_field, visible_case};
use crate::audit;
use crate::auth::Official;
use crate::error::ApiError;
use crate::outbound::{Notice, Notification};
use crate::state::AppState;
use crate::views::{CaseView, EventView};

/// A publish not confirmed by then is the sweep's to send.
const PUBLISH_GRACE_MINUTES: i64 = 5;

#[derive(Debug, Deserialize)]
struct EscalationRequest {
    /// `kecamatan`, `kota`, `dinas:<agency>`; absent: the next tier up.
    to: Option<String>,
    reason: Option<String>,
    /// Optional here: when given it must be the stored version.
    version: Option<u64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Publish {
    /// On the escalations topic.
    Published,
    /// Not yet: the sweep retries it.
    Pending,
}

#[derive(Serialize)]
struct EscalationDone<'a> {
    case: CaseView,
    event: EventView<'a>,
    publish: Publish,
    notification: Notification,
}

pub async fn escalate(
    state: &AppState,
    official: &Official,
    ticket: &str,
    req: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    official.require_officer()?;
    let (version, escalation) = escalation_request(&state.tree, req.body().as_ref())?;
    let mut case = visible_case(state, official, ticket).await?;
    if let Some(version) = version {
        check_version(&case, version)?;
    }
    let audit = audit::act(state, official, &case, Act::Escalate, now);
    let (status, level) = (case.status, case.level.clone());
    let event = case
        .escalate(escalation, official.actor(), &state.ladder, &state.sla, now)
        .map_err(|err| match err {
            CaseError::NotOpen | CaseError::Illegal(_) | CaseError::NotAQuestion(_) => {
                ApiError::IllegalTransition {
                    status,
                    message: err.to_string(),
                }
            }
            CaseError::Ladder(LadderError::AtTop | LadderError::NotHigher { .. }) => {
                ApiError::IllegalEscalation {
                    level: level.clone(),
                    message: err.to_string(),
                }
            }
            CaseError::Ladder(other) => ApiError::invalid("to", other.to_string()),
        })?;
    let notice = Notice::Escalated {
        level: case.level.clone(),
    };
    let staged = state
        .citizens
        .stage(&state.store, &case, notice, Actor::System, event.at)
        .await?;
    let publish = save_and_publish(state, &mut case, &event, &staged, &audit, now).await?;
    let notification = state.citizens.send(&state.store, staged).await;
    tracing::info!(ticket = %case.ticket, official = %official.sub, level = %case.level, "case escalated");
    ok(&EscalationDone {
        case: CaseView::new(&case, &state.tree, now),
        event: EventView::new(&event, &state.tree),
        publish,
        notification,
    })
}

/// Saves an escalation or forward `event` with its pending publish (and
/// the citizens' messages, when staged) in one write, then publishes it and
/// tells the officials of the case's new holder on WhatsApp.
pub(crate) async fn save_and_publish(
    state: &AppState,
    case: &mut Case,
    event: &TimelineEvent,
    staged: &[Staged],
    audit: &AuditEntry,
    now: DateTime<Utc>,
) -> Result<Publish, ApiError> {
    let read_version = case.version;
    let entry = match state
        .store
        .save_case_with_pending_publish(
            case,
            std::slice::from_ref(event),
            &event.id,
            now + Duration::minutes(PUBLISH_GRACE_MINUTES),
            pending(staged),
            Some(audit),
        )
        .await
    {
        Ok(entry) => entry,
        Err(StoreError::VersionConflict { .. }) => return Err(conflict(state, case, read_version).await),
        Err(other) => return Err(other.into()),
    };
    let publish = match state
        .escalations
        .publish_recorded(case, event, &state.tree, &entry)
        .await
    {
        Ok(PublishOutcome::Published { .. }) => Publish::Published,
        Ok(PublishOutcome::Pending { .. }) => Publish::Pending,
        Err(err) => {
            // The event and its pending publish are saved: the sweep sends it.
            tracing::warn!(ticket = %case.ticket, error = %err, "escalation publish not confirmed");
            Publish::Pending
        }
    };
    state
        .officials
        .tell_of_event(&state.store, case, event, now)
        .await;
    Ok(publish)
}

/// The version (optional) and the escalation asked for.
pub fn escalation_request(tree: &Jurisdictions, body: &[u8]) -> Result<(Option<u64>, Escalation), ApiError> {
    let body: EscalationRequest = json_body(body)?;
    Ok((body.version, escalation(tree, body.to, body.reason)?))
}

/// The requested target, checked against the ladder's vocabulary and the
/// city's agencies; whether it is higher up is the case's to decide.
fn escalation(
    tree: &Jurisdictions,
    to: Option<String>,
    reason: Option<String>,
) -> Result<Escalation, ApiError> {
    let reason = text_field("reason", reason, MAX_NOTE_CHARS)?;
    let Some(raw) = text_field("to", to, 80)? else {
        return Ok(Escalation {
            to: None,
            agency: None,
            reason,
        });
    };
    let level = Level::parse(&raw).map_err(|e| ApiError::invalid("to", e.to_string()))?;
    let agency = match &level {
        Level::Agency(slug) => Some(
            tree.agencies()
                .find(|a| a.slug() == slug)
                .map(|a| a.path.clone())
                .ok_or_else(|| {
                    let known: Vec<String> = tree.agencies().map(|a| format!("dinas:{}", a.slug())).collect();
                    ApiError::invalid("to", format!("no such agency; one of {}", known.join(", ")))
                })?,
        ),
        Level::Tier(_) => None,
    };
    Ok(Escalation {
        to: Some(level),
        agency,
        reason,
    })
}
