//! What an official makes public about a case: a summary of what was done
//! (with `resolve`, or later with `publish`) and whether the place the
//! citizen shared may be shown. Nothing else of a case ever is.

use aduan_shared::domain::case::{Case, PublicLocation};
use aduan_shared::domain::timeline::{EventBody, MessageContent, TimelineEvent};
use chrono::{DateTime, Utc};

use crate::auth::Official;
use crate::error::ApiError;
use crate::routes::text_field;
use crate::state::AppState;

pub const MAX_PUBLIC_SUMMARY_CHARS: usize = 1000;

#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    summary: Option<String>,
    location_public: Option<bool>,
}

impl Publication {
    /// `None` when the request sets neither.
    pub fn parse(summary: Option<String>, location_public: Option<bool>) -> Result<Option<Self>, ApiError> {
        let summary = text_field("public_summary", summary, MAX_PUBLIC_SUMMARY_CHARS)?;
        Ok((summary.is_some() || location_public.is_some()).then_some(Self {
            summary,
            location_public,
        }))
    }

    /// Changes the case, and the note that records it on the timeline
    /// (officials only see the timeline).
    pub async fn apply(
        self,
        state: &AppState,
        case: &mut Case,
        official: &Official,
        now: DateTime<Utc>,
    ) -> Result<TimelineEvent, ApiError> {
        let mut said = Vec::new();
        if let Some(public) = self.location_public {
            case.public_location = if public {
                said.push("lokasi ditampilkan".to_owned());
                Some(shared_location(state, case).await?)
            } else {
                said.push("lokasi tidak ditampilkan".to_owned());
                None
            };
        }
        if let Some(summary) = self.summary {
            said.push(format!("ringkasan: {summary}"));
            case.public_summary = Some(summary);
        }
        case.updated_at = now;
        let text = format!("Catatan publik diperbarui: {}", said.join("; "));
        Ok(TimelineEvent::new(
            now,
            official.actor(),
            EventBody::Note { text },
        ))
    }
}

/// The last place the citizen shared, to about 10 m: enough to find a
/// street lamp, not a door.
async fn shared_location(state: &AppState, case: &Case) -> Result<PublicLocation, ApiError> {
    let (_, events) = state
        .store
        .case_with_timeline(&case.id)
        .await?
        .ok_or(ApiError::CaseNotFound)?;
    let round = |x: f64| (x * 10_000.0).round() / 10_000.0;
    events
        .iter()
        .rev()
        .find_map(|event| match &event.body {
            EventBody::Message {
                content:
                    MessageContent::Location {
                        latitude, longitude, ..
                    },
                ..
            } => Some(PublicLocation {
                lat: round(*latitude),
                long: round(*longitude),
            }),
            _ => None,
        })
        .ok_or_else(|| {
            ApiError::invalid(
                "location_public",
                "the citizen has shared no location on this case",
            )
        })
}
