//! What responses show of a case: never the reporter's number (the reporter
//! appears as a pseudonym), nor internal ids, nor the providers' handles on a
//! citizen's message (a Twilio media URL, a message id). The citizen's free
//! text (description, message, caption, place) shows with long numbers
//! masked; lists show the start of a description, the case all of it.

use std::borrow::Cow;
use std::io;

use aduan_shared::domain::case::Case;
use aduan_shared::domain::citizen_text::{excerpt, mask_numbers};
use aduan_shared::domain::disposition::{Closure, Direction, Office};
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions};
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::ladder::Level;
use aduan_shared::domain::lifecycle::{Status, Transition};
use aduan_shared::domain::reporter::ReporterId;
use aduan_shared::domain::timeline::{
    Actor, DeliveryStatus, EventBody, EventId, MediaStorage, MediaType, MessageContent, StoredFile,
    TimelineEvent,
};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::names::{level_label, office_label, place_label};
use crate::suggestions::Suggestion;

/// Characters of a description a list shows: a page of 100 cases stays
/// small whatever the citizens wrote (up to 64 KiB each).
pub const LIST_DESCRIPTION_CHARS: usize = 280;

#[derive(Debug, Serialize)]
pub struct CaseView {
    pub ticket: String,
    pub kind: CaseKind,
    pub category: Option<String>,
    /// Long numbers masked; in a list, cut (ending in "…").
    pub description: String,
    /// The description was cut: the case itself shows all of it.
    pub description_truncated: bool,
    /// The kelurahan (or RW/RT) once known.
    pub jurisdiction: Option<JurisdictionPath>,
    /// Whose queue the case is in: the jurisdiction, else where it came in.
    pub area: JurisdictionPath,
    /// "Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan".
    pub area_name: String,
    pub agency: Option<JurisdictionPath>,
    /// "Dinas PUPR".
    pub agency_name: Option<String>,
    pub level: Level,
    /// "Kecamatan", "Dinas PUPR".
    pub level_name: String,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// Send it back with an action: a stale version is refused.
    pub version: u64,
    /// The reporter's pseudonym (`P-3F9A2C81`): the same for all their
    /// cases; null once they erased their data (`reporter_erased`).
    pub reporter: Option<String>,
    /// The reporter erased their data: the case can no longer reach them.
    pub reporter_erased: bool,
    /// An official marked the citizen's files as needed (`keep_files`).
    pub keep_files: bool,
    /// What an officer may do now.
    pub actions: Vec<&'static str>,
    /// The RW or RT the case was handed down to (it is still the
    /// kelurahan's), and its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handed_down_to: Option<JurisdictionPath>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handed_down_name: Option<String>,
    /// How a closed case ended: `{"as": "resolved"}`, `duplicate` (with
    /// `of`), `outside_authority` (with `to`), `no_further_action`.
    pub closed_as: Option<Closure>,
    /// The dinas the tree names for the case's category (`dinas:pupr`),
    /// while the case is open and not there already: where a forward or
    /// an escalation might send it.
    pub suggested_agency: Option<String>,
    /// What the public record shows of the case besides its counts.
    pub public_summary: Option<String>,
    pub location_public: bool,
    /// The media id of the photo the public record shows, if any.
    pub public_photo: Option<String>,
    /// Merged into another case as its duplicate: which, when, and until
    /// when `unmerge` may undo it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<MergedIntoView>,
    /// The tickets of the cases merged into this one, whose reporters
    /// follow it.
    pub merged: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct MergedIntoView {
    pub ticket: String,
    pub at: DateTime<Utc>,
    pub undo_until: DateTime<Utc>,
}

impl CaseView {
    /// The case with its whole description.
    pub fn new(case: &Case, tree: &Jurisdictions, now: DateTime<Utc>) -> Self {
        Self::with_description(
            case,
            tree,
            now,
            mask_numbers(&case.description).into_owned(),
            false,
        )
    }

    /// The case in a list: the description's first 280 characters, masked
    /// before the cut (a cut number could fall under the mask's length).
    pub fn listed(case: &Case, tree: &Jurisdictions, now: DateTime<Utc>) -> Self {
        let masked = mask_numbers(&case.description);
        let cut = excerpt(&masked, LIST_DESCRIPTION_CHARS);
        Self::with_description(case, tree, now, cut.text.into_owned(), cut.truncated)
    }

    fn with_description(
        case: &Case,
        tree: &Jurisdictions,
        now: DateTime<Utc>,
        description: String,
        description_truncated: bool,
    ) -> Self {
        Self {
            ticket: case.ticket.to_string(),
            kind: case.kind,
            category: case.category.clone(),
            description,
            description_truncated,
            jurisdiction: case.jurisdiction.clone(),
            area: case.area().clone(),
            area_name: place_label(tree, case.area()),
            agency: case.agency.clone(),
            agency_name: case.agency.as_ref().map(|a| place_label(tree, a)),
            level: case.level.clone(),
            level_name: level_label(tree, &case.level),
            status: case.status,
            created_at: case.created_at,
            updated_at: case.updated_at,
            due_at: case.due_at,
            overdue: case.is_overdue(now),
            version: case.version,
            reporter: case.reporter.id().map(ReporterId::pseudonym),
            reporter_erased: case.reporter.id().is_none(),
            keep_files: case.keep_files,
            actions: actions(case, now),
            handed_down_to: case.handed_down_to.clone(),
            handed_down_name: case.handed_down_to.as_ref().map(|u| office_label(tree, u)),
            closed_as: case.closed_as.clone(),
            suggested_agency: suggested_agency(case, tree),
            public_summary: case
                .public_summary
                .as_deref()
                .map(|s| mask_numbers(s).into_owned()),
            location_public: case.public_location.is_some(),
            public_photo: case.public_photo.as_ref().map(|p| p.media_id.clone()),
            merged_into: case.merged_into.as_ref().map(|m| MergedIntoView {
                ticket: m.ticket.to_string(),
                at: m.at,
                undo_until: m.undo_until(),
            }),
            merged: case.merged.iter().map(|m| m.ticket.to_string()).collect(),
        }
    }
}

/// The officials' actions open to a case (withdrawing is the citizen's;
/// answering closes questions only; a case with cases merged into it is
/// not merged itself, and a merge is undone within a day).
pub fn actions(case: &Case, now: DateTime<Utc>) -> Vec<&'static str> {
    let status = case.status;
    let mut out: Vec<&'static str> = status
        .allowed()
        .into_iter()
        .filter(|t| *t != Transition::Withdraw)
        .filter(|t| *t != Transition::Answer || case.kind == CaseKind::Pertanyaan)
        .map(Transition::as_str)
        .collect();
    if status.is_open() {
        out.extend(["reclassify", "escalate"]);
    }
    if matches!(status, Status::Received | Status::Verified | Status::InProgress) {
        out.push("forward");
        if case.merged.is_empty() {
            out.push("merge");
        }
    }
    if case.merged_into.as_ref().is_some_and(|m| now < m.undo_until()) {
        out.push("unmerge");
    }
    out.extend(["note", "publish"]);
    out
}

/// The dinas for the case's category, unless the case is closed or there.
pub fn suggested_agency(case: &Case, tree: &Jurisdictions) -> Option<String> {
    let agency = tree.agency_for_category(case.category.as_deref()?)?;
    let level = Level::Agency(agency.slug().to_owned());
    (case.status.is_open() && case.level != level).then(|| level.to_string())
}

/// Events of a timeline per response.
pub const TIMELINE_PAGE: usize = 200;
/// And at most this much of their JSON (the first event always goes): 200
/// citizen messages of 64 KiB would pass Lambda's 6 MB response limit.
pub const TIMELINE_PAGE_BYTES: usize = 1024 * 1024;

/// A case with a page of its timeline, oldest first.
#[derive(Debug, Serialize)]
pub struct CaseDetail<'a> {
    pub case: CaseView,
    pub timeline: Vec<EventView<'a>>,
    /// Pass back as `cursor` for the next events; null on the last page.
    pub next_cursor: Option<&'a str>,
    /// On the first page: the open cases that may report the same problem,
    /// best first (empty when there are none, or the case is not open or
    /// not in the caller's scope).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<Suggestion>>,
}

impl<'a> CaseDetail<'a> {
    /// The page from `events` (read up to one past a page, to know if more
    /// follow): at most [`TIMELINE_PAGE`] events and [`TIMELINE_PAGE_BYTES`].
    pub fn page(
        case: CaseView,
        events: &'a [TimelineEvent],
        tree: &Jurisdictions,
        suggestions: Option<Vec<Suggestion>>,
    ) -> Self {
        let mut timeline = Vec::new();
        let mut bytes = 0;
        for event in events.iter().take(TIMELINE_PAGE) {
            let view = EventView::new(event, tree);
            bytes += json_len(&view);
            if bytes > TIMELINE_PAGE_BYTES && !timeline.is_empty() {
                break;
            }
            timeline.push(view);
        }
        let next_cursor = (timeline.len() < events.len()).then(|| events[timeline.len() - 1].id.as_str());
        Self {
            case,
            timeline,
            next_cursor,
            suggestions,
        }
    }
}

/// The length of `value`'s JSON, counted without keeping it.
fn json_len(value: &impl Serialize) -> usize {
    struct Count(usize);
    impl io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value).map_or(0, |()| count.0)
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
    pub fn new(event: &'a TimelineEvent, tree: &Jurisdictions) -> Self {
        Self {
            id: &event.id,
            at: event.at,
            actor: &event.actor,
            body: BodyView::new(&event.body, tree),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum BodyView<'a> {
    Message(MessageView<'a>),
    Outbound(OutboundView<'a>),
    Escalated(EscalatedView<'a>),
    Reclassified(ReclassifiedView<'a>),
    Forwarded(ForwardedView<'a>),
    /// Events that hold nothing of a provider's, shown as stored.
    AsStored(&'a EventBody),
}

impl<'a> BodyView<'a> {
    fn new(body: &'a EventBody, tree: &Jurisdictions) -> Self {
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
            EventBody::Escalated { from, to, reason, .. } => BodyView::Escalated(EscalatedView {
                from,
                from_name: level_label(tree, from),
                to,
                to_name: level_label(tree, to),
                reason: reason.as_deref(),
            }),
            EventBody::Reclassified {
                kind,
                category,
                jurisdiction,
            } => BodyView::Reclassified(ReclassifiedView {
                kind: *kind,
                category: category.as_deref(),
                jurisdiction: jurisdiction.as_ref(),
                jurisdiction_name: jurisdiction.as_ref().map(|j| place_label(tree, j)),
            }),
            EventBody::Forwarded {
                from,
                to,
                direction,
                reason,
            } => BodyView::Forwarded(ForwardedView {
                from,
                from_name: office_label(tree, &from.path),
                to,
                to_name: office_label(tree, &to.path),
                direction: *direction,
                reason,
            }),
            EventBody::Opened { .. }
            | EventBody::Closed { .. }
            | EventBody::StatusChanged { .. }
            | EventBody::Note { .. }
            | EventBody::Rated { .. }
            | EventBody::Limited { .. }
            | EventBody::MergedIn { .. }
            | EventBody::Unmerged { .. } => BodyView::AsStored(body),
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

/// As stored, with the levels' names beside them.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename = "escalated")]
struct EscalatedView<'a> {
    from: &'a Level,
    from_name: String,
    to: &'a Level,
    to_name: String,
    reason: Option<&'a str>,
}

/// As stored, with the offices' names beside their paths.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename = "forwarded")]
struct ForwardedView<'a> {
    from: &'a Office,
    from_name: String,
    to: &'a Office,
    to_name: String,
    direction: Direction,
    reason: &'a str,
}

/// As stored, with the new place's name beside its path.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename = "reclassified")]
struct ReclassifiedView<'a> {
    kind: Option<CaseKind>,
    category: Option<&'a str>,
    jurisdiction: Option<&'a JurisdictionPath>,
    jurisdiction_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum ContentView<'a> {
    Text(TextView<'a>),
    Media(MediaView<'a>),
    Location(LocationView<'a>),
    /// An unsupported type: only its name.
    AsSent(&'a MessageContent),
}

impl<'a> ContentView<'a> {
    fn new(content: &'a MessageContent) -> Self {
        let masked = |text: &'a Option<String>| text.as_deref().map(mask_numbers);
        match content {
            MessageContent::Text { body } => ContentView::Text(TextView {
                body: mask_numbers(body),
            }),
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
                caption: masked(caption),
            }),
            MessageContent::Location {
                latitude,
                longitude,
                name,
                address,
            } => ContentView::Location(LocationView {
                latitude: *latitude,
                longitude: *longitude,
                name: masked(name),
                address: masked(address),
            }),
            MessageContent::Unsupported { .. } => ContentView::AsSent(content),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename = "text")]
struct TextView<'a> {
    body: Cow<'a, str>,
}

/// The file's id (to ask for it), kind, type and caption; not where the provider keeps it.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename = "media")]
struct MediaView<'a> {
    media_type: MediaType,
    media_id: &'a str,
    mime_type: Option<&'a str>,
    caption: Option<Cow<'a, str>>,
}

/// A shared location: the name and address may be typed by the citizen.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename = "location")]
struct LocationView<'a> {
    latitude: f64,
    longitude: f64,
    name: Option<Cow<'a, str>>,
    address: Option<Cow<'a, str>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use aduan_shared::domain::timeline::EventBody;

    fn shown(content: MessageContent) -> serde_json::Value {
        let event = TimelineEvent::new(Utc::now(), Actor::Citizen, EventBody::message("wamid.1", content));
        serde_json::to_value(EventView::new(&event, Jurisdictions::bukittinggi())).unwrap()["body"]["content"]
            .clone()
    }

    /// Every free text of a citizen's message shows masked, in the shape stored.
    #[test]
    fn citizens_texts_captions_and_places_are_masked() {
        let phone = || Some("wa ０８１２３４５６７８９".to_owned());
        let masked = "wa [nomor disembunyikan]";
        let text = shown(MessageContent::Text {
            body: phone().unwrap(),
        });
        assert_eq!(text, serde_json::json!({"type": "text", "body": masked}));
        let media = shown(MessageContent::Media {
            media_type: MediaType::Image,
            media_id: "m1".into(),
            mime_type: None,
            caption: phone(),
            url: None,
        });
        assert_eq!(media["caption"], masked);
        let place = shown(MessageContent::Location {
            latitude: -0.3,
            longitude: 100.37,
            name: phone(),
            address: None,
        });
        assert_eq!(
            place,
            serde_json::json!({"type": "location", "latitude": -0.3, "longitude": 100.37,
                "name": masked, "address": null})
        );
    }
}
