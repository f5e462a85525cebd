//! What every request needs, built once at cold start.

use std::sync::Arc;

use aduan_shared::archive::MediaBucket;
use aduan_shared::domain::jurisdiction::Jurisdictions;
use aduan_shared::domain::ladder::Ladder;
use aduan_shared::domain::sla::SlaPolicy;
use aduan_shared::notify::EscalationNotifier;
use aduan_shared::store::Store;

use crate::outbound::Citizens;

pub struct AppState {
    pub store: Store,
    pub tree: Arc<Jurisdictions>,
    pub ladder: Ladder,
    pub sla: SlaPolicy,
    /// Publishes escalations to officials (SNS), leaving failures to the sweep.
    pub escalations: EscalationNotifier,
    /// Tells citizens on WhatsApp what happened to their case.
    pub citizens: Citizens,
    /// Citizens' files, with a media bucket configured (presigned URLs only).
    pub media: Option<MediaBucket>,
}
