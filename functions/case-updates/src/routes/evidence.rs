//! An official's photo of the work, sent from WhatsApp (no HTTP route: the
//! console uploads nothing). Kept on the case as the official's message,
//! its file fetched into the media bucket like a citizen's, and, once
//! uploaded for sending on, shown to the citizen with the resolution. The
//! API's rules: officers only, within their scope (a case outside it is the
//! same 404 as a missing one), audited, written on the version read.

use aduan_shared::domain::audit::Act;
use aduan_shared::domain::case::CaseId;
use aduan_shared::domain::evidence::{EvidencePhoto, OfficialFile};
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::domain::timeline::TimelineEvent;
use std::future::Future;

use chrono::{DateTime, Utc};

use super::{save, visible_case};
use crate::audit;
use crate::auth::Official;
use crate::error::ApiError;
use crate::state::AppState;

/// The photo as it went on the case: the event whose file is still to be
/// fetched, when the deployment keeps files.
#[derive(Debug, Clone)]
pub struct Attached {
    pub case_id: CaseId,
    pub ticket: Ticket,
    pub event: TimelineEvent,
    /// Whether the upload for the citizen succeeded.
    pub sendable: bool,
}

/// Keeps `photo` on the case `ticket` names. `upload` readies its copy
/// WhatsApp can send on (`None` when it could not): awaited only once the
/// case is found within the official's scope, so a refused photo is never
/// fetched.
pub async fn attach(
    state: &AppState,
    official: &Official,
    ticket: &str,
    photo: &OfficialFile,
    upload: impl Future<Output = Option<EvidencePhoto>>,
    now: DateTime<Utc>,
) -> Result<Attached, ApiError> {
    official.require_officer()?;
    let mut case = visible_case(state, official, ticket).await?;
    let upload = upload.await;
    let sendable = upload.is_some();
    let audit = audit::act(state, official, &case, Act::Evidence, now);
    let event = case.add_evidence(photo, upload, official.actor(), state.media.is_some(), now);
    save(state, &mut case, std::slice::from_ref(&event), &[], &audit).await?;
    Ok(Attached {
        case_id: case.id,
        ticket: case.ticket,
        event,
        sendable,
    })
}
