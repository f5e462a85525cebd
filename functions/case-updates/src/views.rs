//! What responses show of a case: never the reporter's number (the reporter
//! appears as a pseudonym), nor internal ids, nor the providers' handles on a
//! citizen's message (a Twilio media URL, a message id).

use aduan_shared::conversation::replies::area_name;
use aduan_shared::domain::case::Case;
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions};
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::ladder::Level;
use aduan_shared::domain::lifecycle::{Status, Transition};
use aduan_shared::domain::timeline::{
    Actor, DeliveryStatus, EventBody, EventId, MediaStorage, MediaType, MessageContent, StoredFile,
    TimelineEvent,
};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct CaseView {
    pub ticket: String,
    pub kind: CaseKind,
    pub category: Option<String>,
    pub description: String,
    /// The kelurahan (or RW/RT) once known.
    pub jurisdiction: Option<JurisdictionPath>,
    /// Whose queue the case is in: the jurisdiction, else where it came in.
    pub area: JurisdictionPath,
    pub area_name: String,
    pub agency: Option<JurisdictionPath>,
    pub level: Level,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// Send it back with an action: a stale version is refused.
    pub version: u64,
    /// The reporter's pseudonym (`P-3F9A2C81`): the same for all their cases.
    pub reporter: String,
    /// What an officer may do now.
    pub actions: Vec<&'static str>,
}

impl CaseView {
    pub fn new(case: &Case, tree: &Jurisdictions, now: DateTime<Utc>) -> Self {
        Self {
            ticket: case.ticket.to_string(),
            kind: case.kind,
            category: case.category.clone(),
            description: case.description.clone(),
            jurisdiction: case.jurisdiction.clone(),
            area: case.area().clone(),
            area_name: area_name(tree, case.area()),
            agency: case.agency.clone(),
            level: case.level.clone(),
            status: case.status,
            created_at: case.created_at,
            updated_at: case.updated_at,
            due_at: case.due_at,
            overdue: case.is_overdue(now),
            version: case.version,
            reporter: case.reporter.pseudonym(),
            actions: actions(case.status),
        }
    }
}

/// The officials' actions open to a case in `status` (withdrawing is the citizen's).
pub fn actions(status: Status) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = status
        .allowed()
        .into_iter()
        .filter(|t| *t != Transition::Withdraw)
        .map(Transition::as_str)
        .collect();
    if status.is_open() {
        out.extend(["reclassify", "escalate"]);
    }
    out.push("note");
    out
}

/// A case with its whole timeline, oldest first.
#[derive(Debug, Serialize)]
pub struct CaseDetail<'a> {
    pub case: CaseView,
    pub timeline: Vec<EventView<'a>>,
}

impl<'a> CaseDetail<'a> {
    pub fn new(case: CaseView, timeline: &'a [TimelineEvent]) -> Self {
        Self {
            case,
            timeline: timeline.iter().map(EventView::new).collect(),
        }
    }
}

/// A timeline event as officials see it: as stored, without what only the
/// provider needs. Twilio's `MediaUrl` is permanent and, unless the account
/// enforces HTTP auth on media, readable by anyone holding it; officials get
/// files from the bucket instead (`GET /cases/{ticket}/media/{media_id}`).
/// The provider's message ids (received and sent) are left out too: a Meta
/// `wamid` is base64 that carries the citizen's number.
#[derive(Debug, Serialize)]
pub struct EventView<'a> {
    id: &'a EventId,
    at: DateTime<Utc>,
    actor: &'a Actor,
    body: BodyView<'a>,
}

impl<'a> EventView<'a> {
    pub fn new(event: &'a TimelineEvent) -> Self {
        Self {
            id: &event.id,
            at: event.at,
            actor: &event.actor,
            body: BodyView::new(&event.body),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum BodyView<'a> {
    Message(MessageView<'a>),
    Outbound(OutboundView<'a>),
    /// Events that hold nothing of a provider's, shown as stored.
    AsStored(&'a EventBody),
}

impl<'a> BodyView<'a> {
    fn new(body: &'a EventBody) -> Self {
        // Every variant named: a new one must be judged here before it shows.
        match body {
            EventBody::Message {
                provider_message_id: _,
                content,
                stored,
                file,
                store_error,
            } => BodyView::Message(MessageView {
                content: ContentView::new(content),
                stored: *stored,
                file: file.as_ref(),
                store_error: store_error.as_deref(),
            }),
            EventBody::Outbound {
                text,
                via_template,
                status,
                provider_message_id: _,
                error,
            } => BodyView::Outbound(OutboundView {
                text,
                via_template: *via_template,
                status: *status,
                error: error.as_deref(),
            }),
            EventBody::Opened { .. }
            | EventBody::StatusChanged { .. }
            | EventBody::Note { .. }
            | EventBody::Escalated { .. }
            | EventBody::Reclassified { .. }
            | EventBody::Rated { .. }
            | EventBody::Limited { .. } => BodyView::AsStored(body),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename = "message")]
struct MessageView<'a> {
    content: ContentView<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stored: Option<MediaStorage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a StoredFile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    store_error: Option<&'a str>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename = "outbound")]
struct OutboundView<'a> {
    text: &'a str,
    via_template: bool,
    status: DeliveryStatus,
    error: Option<&'a str>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum ContentView<'a> {
    Media(MediaView<'a>),
    /// Text, a location, an unsupported type: nothing of the provider's.
    AsSent(&'a MessageContent),
}

impl<'a> ContentView<'a> {
    fn new(content: &'a MessageContent) -> Self {
        match content {
            MessageContent::Media {
                media_type,
                media_id,
                mime_type,
                caption,
                url: _,
            } => ContentView::Media(MediaView {
                media_type: *media_type,
                media_id,
                mime_type: mime_type.as_deref(),
                caption: caption.as_deref(),
            }),
            MessageContent::Text { .. }
            | MessageContent::Location { .. }
            | MessageContent::Unsupported { .. } => ContentView::AsSent(content),
        }
    }
}

/// The file's id (to ask for it), kind, type and caption; not where the provider keeps it.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename = "media")]
struct MediaView<'a> {
    media_type: MediaType,
    media_id: &'a str,
    mime_type: Option<&'a str>,
    caption: Option<&'a str>,
}
