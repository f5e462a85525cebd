//! `POST /cases/{ticket}/actions`: an officer moves a case through its
//! lifecycle, reclassifies it or adds a note; the citizen is told when the
//! status changes.

use aduan_shared::domain::audit::Act;
use aduan_shared::domain::case::{Case, CaseError};
use aduan_shared::domain::disposition::{Closure, Destination, ForwardError, KnownUnits, UnitDirectory};
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions, Node, NodeKind};
use aduan_shared::domain::kind::CaseKind;
use aduan_shared::domain::lifecycle::Transition;
use aduan_shared::domain::reclassify::{Reclassification, ReclassifyError};
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::domain::timeline::{Actor, EventBody, TimelineEvent};
use chrono::{DateTime, Utc};
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use super::escalations::{save_and_publish, Publish};
use super::{check_version, json_body, merge, ok, required, save, text_field, units, visible_case};
use crate::audit;
use crate::auth::Official;
use crate::error::ApiError;
use crate::outbound::{Notice, Notification};
use crate::public::Publication;
use crate::state::AppState;
use crate::views::{CaseView, EventView};

/// Longest note or reason an official may write.
pub const MAX_NOTE_CHARS: usize = 2000;
const MAX_CATEGORY_CHARS: usize = 64;

/// Every field optional here, so that a missing one is a 422 naming it
/// rather than a parse error; a field of the wrong type is a 400.
#[derive(Debug, Deserialize)]
struct ActionRequest {
    action: Option<String>,
    version: Option<u64>,
    note: Option<String>,
    reason: Option<String>,
    kind: Option<String>,
    category: Option<String>,
    kelurahan: Option<String>,
    /// Where a forward sends the case, or who is competent when it is
    /// closed as outside the city's authority.
    to: Option<String>,
    /// How `dispose` closes it: `outside_authority` or `no_further_action`.
    #[serde(rename = "as")]
    closed_as: Option<String>,
    public_summary: Option<String>,
    location_public: Option<bool>,
    /// A stored photo's media id to show in the public record, or `null`
    /// to show none.
    #[serde(default, deserialize_with = "present")]
    public_photo: Option<Option<String>>,
    /// The ticket a merge makes this case a duplicate of.
    into: Option<String>,
}

/// A field that is present, even as `null` (`Some(None)`), apart from one
/// that is absent (`None`, by `default`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A request checked against everything that needs no case.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Transition {
        transition: Transition,
        note: Option<String>,
    },
    Reclassify(Reclassification),
    Note(String),
    /// The citizen's files are needed (evidence): kept if the citizen
    /// erases their data; the note says why.
    KeepFiles(String),
    /// `to` as given: which place it names is checked against the tree and
    /// the unit directory, with the case.
    Forward {
        to: String,
        reason: String,
    },
    /// Closed without being resolved; the reason is what the citizen reads.
    Dispose {
        closure: Closure,
        reason: String,
    },
    /// Only what the public record shows changes.
    Publish(Publication),
}

/// What a request asks: a change of this case alone, or a merge or its
/// undo, which write two cases (the merge module's).
#[derive(Debug, Clone, PartialEq)]
pub enum Requested {
    Change(Action),
    /// Closed as a duplicate of the case with this ticket, whose news its
    /// reporter gets from now on.
    Merge {
        into: Ticket,
    },
    /// The case's merge undone (within a day of it).
    Unmerge,
}

impl Action {
    /// Its name in the audit.
    fn act(&self) -> Act {
        match self {
            Action::Transition { transition, .. } => Act::Transition(*transition),
            Action::Reclassify(_) => Act::Reclassify,
            Action::Note(_) => Act::Note,
            Action::KeepFiles(_) => Act::KeepFiles,
            Action::Forward { .. } => Act::Forward,
            Action::Dispose { .. } => Act::Transition(Transition::Dispose),
            Action::Publish(_) => Act::Publish,
        }
    }
}

#[derive(Serialize)]
pub(super) struct ActionDone<'a> {
    pub case: CaseView,
    pub event: EventView<'a>,
    /// What the citizen was told, if anything.
    pub notification: Option<Notification>,
    /// A forward only: whether officials were told on the escalations topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publish: Option<Publish>,
}

pub async fn act(
    state: &AppState,
    official: &Official,
    ticket: &str,
    req: &Request,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    act_on(
        state,
        official,
        ticket,
        req.body().as_ref(),
        Versions::Required,
        now,
    )
    .await
}

/// Whether an action must name the version it was decided on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versions {
    /// The console shows a case and sends back the version it showed.
    Required,
    /// A WhatsApp command names only the ticket: the action applies to the
    /// case as read now, and its write is still conditional on that read.
    AsRead,
}

/// [`act`] on a JSON body, for callers other than API Gateway (the
/// webhook, for officials' WhatsApp commands).
pub async fn act_on(
    state: &AppState,
    official: &Official,
    ticket: &str,
    body: &[u8],
    versions: Versions,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    official.require_officer()?;
    let (version, requested, on_resolve) = action_request(&state.tree, body)?;
    let version = match versions {
        Versions::Required => Some(required("version", version)?),
        Versions::AsRead => version,
    };
    if let Requested::Change(Action::Reclassify(Reclassification {
        jurisdiction: Some(to),
        ..
    })) = &requested
    {
        // Checked before the case is read: the answer is the same for any ticket.
        official.require_within("kelurahan", to)?;
    }
    let mut case = visible_case(state, official, ticket).await?;
    if let Some(version) = version {
        check_version(&case, version)?;
    }
    // Boxed: two cases' futures would grow every request's on the stack.
    let action = match requested {
        Requested::Merge { into } => return Box::pin(merge::merge(state, official, case, &into, now)).await,
        Requested::Unmerge => return Box::pin(merge::unmerge(state, official, case, now)).await,
        Requested::Change(action) => action,
    };
    // A hand-down's RW or RT is checked against its kelurahan's units.
    let units = match &action {
        Action::Forward { to, .. } => units::for_destination(state, to, now).await?,
        _ => None,
    };
    let no_units = KnownUnits::default();
    let directory: &(dyn UnitDirectory + Sync) = match &units {
        Some(list) => list.as_ref(),
        None => &no_units,
    };
    let audit = audit::act(state, official, &case, action.act(), now);
    let (event, notice) = apply(state, directory, &mut case, action, official, now).await?;
    let mut events = vec![event.clone()];
    if let Some(publication) = on_resolve {
        events.push(publication.apply(state, &mut case, official, now).await?);
    }
    // The notice is saved with the change, so a change is never saved
    // without the citizen being told (by the sweep, if not now); the
    // reporters of the cases merged into it are told too.
    let told = notice.is_some();
    let staged = match notice {
        Some(notice) => {
            state
                .citizens
                .stage(&state.store, &case, notice, Actor::System, event.at)
                .await?
        }
        None => Vec::new(),
    };
    // A hand-over is announced to officials as an escalation is.
    let publish = match &event.body {
        EventBody::Forwarded { .. } => {
            Some(save_and_publish(state, &mut case, &event, &staged, &audit, now).await?)
        }
        _ => {
            save(state, &mut case, &events, &staged, &audit).await?;
            None
        }
    };
    let notification = match told {
        true => Some(state.citizens.send(&state.store, staged).await),
        false => None,
    };
    tracing::info!(ticket = %case.ticket, official = %official.sub, event = event.id.as_str(), "case updated");
    ok(&ActionDone {
        case: CaseView::new(&case, &state.tree, now),
        event: EventView::new(&event, &state.tree),
        notification,
        publish,
    })
}

/// The version the official read (if given), the action, and what a
/// `resolve` also changes in the public record, checked against everything
/// that needs no case.
pub fn action_request(
    tree: &Jurisdictions,
    body: &[u8],
) -> Result<(Option<u64>, Requested, Option<Publication>), ApiError> {
    let mut body: ActionRequest = json_body(body)?;
    let version = body.version;
    let publication = Publication::parse(
        body.public_summary.take(),
        body.location_public.take(),
        body.public_photo.take(),
    )?;
    let requested = parse_action(tree, body, publication.clone())?;
    let on_resolve = match (&requested, publication) {
        (Requested::Change(Action::Publish(_)), _) | (_, None) => None,
        (
            Requested::Change(Action::Transition {
                transition: Transition::Resolve,
                ..
            }),
            Some(publication),
        ) => Some(publication),
        (_, Some(_)) => {
            return Err(ApiError::invalid(
                "public_summary",
                "only with the actions resolve and publish",
            ))
        }
    };
    Ok((version, requested, on_resolve))
}

fn parse_action(
    tree: &Jurisdictions,
    body: ActionRequest,
    publication: Option<Publication>,
) -> Result<Requested, ApiError> {
    let name = required("action", body.action)?;
    let note = text_field("note", body.note, MAX_NOTE_CHARS)?;
    let transition = |transition| Action::Transition {
        transition,
        note: note.clone(),
    };
    let action = match name.trim() {
        "verify" => transition(Transition::Verify),
        "start" => transition(Transition::Start),
        "close" => transition(Transition::Close),
        "reopen" => transition(Transition::Reopen),
        "resolve" => {
            // The citizen is asked whether it is solved, and told what was done.
            required("note", note.clone())?;
            transition(Transition::Resolve)
        }
        "answer" => {
            // A question's answer, sent to the citizen; it closes the case.
            required("note", note.clone())?;
            transition(Transition::Answer)
        }
        "reject" => Action::Transition {
            transition: Transition::Reject,
            note: Some(required(
                "reason",
                text_field("reason", body.reason, MAX_NOTE_CHARS)?,
            )?),
        },
        "note" => Action::Note(required("note", note)?),
        "keep_files" => Action::KeepFiles(required("note", note)?),
        "publish" => Action::Publish(required("public_summary", publication)?),
        "reclassify" => Action::Reclassify(reclassification(tree, body.kind, body.category, body.kelurahan)?),
        "forward" => Action::Forward {
            to: required("to", text_field("to", body.to, 200)?)?,
            reason: required("reason", text_field("reason", body.reason, MAX_NOTE_CHARS)?)?,
        },
        "dispose" => {
            let reason = required("reason", text_field("reason", body.reason, MAX_NOTE_CHARS)?)?;
            let closure = match required("as", text_field("as", body.closed_as, 32)?)?.as_str() {
                "outside_authority" => Closure::OutsideAuthority {
                    to: required("to", text_field("to", body.to, 200)?)?,
                },
                "no_further_action" => Closure::NoFurtherAction,
                _ => return Err(ApiError::invalid("as", "one of outside_authority, no_further_action")),
            };
            Action::Dispose { closure, reason }
        }
        "merge" => {
            let into = required("into", text_field("into", body.into, 32)?)?;
            let into = Ticket::parse(&into).map_err(|_| ApiError::invalid("into", "not a ticket (ADU-0042)"))?;
            return Ok(Requested::Merge { into });
        }
        "unmerge" => return Ok(Requested::Unmerge),
        _ => {
            return Err(ApiError::invalid(
                "action",
                "one of verify, reject, start, resolve, answer, close, reopen, reclassify, note, keep_files, publish, forward, dispose, merge, unmerge",
            ))
        }
    };
    Ok(Requested::Change(action))
}

fn reclassification(
    tree: &Jurisdictions,
    kind: Option<String>,
    category: Option<String>,
    kelurahan: Option<String>,
) -> Result<Reclassification, ApiError> {
    let kind = text_field("kind", kind, 32)?
        .map(|raw| {
            CaseKind::parse(&raw)
                .ok_or_else(|| ApiError::invalid("kind", "one of pengaduan, saran, kritik, pertanyaan"))
        })
        .transpose()?;
    let category = text_field("category", category, MAX_CATEGORY_CHARS)?
        .map(|raw| category_of(tree, &raw))
        .transpose()?;
    let jurisdiction = text_field("kelurahan", kelurahan, 200)?
        .map(|raw| {
            let path = JurisdictionPath::parse(&raw).ok();
            let node = path.as_ref().and_then(|p| tree.node(p));
            match node {
                Some(node) if is_reclassify_target(node) => Ok(node.path.clone()),
                _ => Err(ApiError::invalid(
                    "kelurahan",
                    "not a kelurahan of this city (a path such as bukittinggi/guguk-panjang/kayu-kubu)",
                )),
            }
        })
        .transpose()?;
    if kind.is_none() && category.is_none() && jurisdiction.is_none() {
        return Err(ApiError::invalid(
            "kind",
            "give a kind, a category or a kelurahan to change",
        ));
    }
    Ok(Reclassification {
        kind,
        category,
        jurisdiction,
    })
}

/// Whether a case may be moved to `node`: a kelurahan or a place in one
/// (`GET /jurisdictions` offers the same).
pub(crate) fn is_reclassify_target(node: &Node) -> bool {
    matches!(node.kind, NodeKind::Kelurahan | NodeKind::Rw | NodeKind::Rt)
}

/// A category of the jurisdiction tree (its agencies' categories), written as
/// the tree writes it; any short text when the tree lists none.
fn category_of(tree: &Jurisdictions, raw: &str) -> Result<String, ApiError> {
    let mut known = tree.categories().peekable();
    if known.peek().is_none() {
        return Ok(raw.to_lowercase());
    }
    let wanted = raw.to_lowercase();
    let wanted: Vec<&str> = wanted
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    known
        .find(|c| c.split_whitespace().eq(wanted.iter().copied()))
        .map(str::to_owned)
        .ok_or_else(|| {
            let list: Vec<&str> = tree.categories().collect();
            ApiError::invalid("category", format!("one of: {}", list.join(", ")))
        })
}

/// Applies the action to the case: the event to record and what to tell the citizen.
async fn apply(
    state: &AppState,
    units: &(dyn UnitDirectory + Sync),
    case: &mut Case,
    action: Action,
    official: &Official,
    now: DateTime<Utc>,
) -> Result<(TimelineEvent, Option<Notice>), ApiError> {
    let status = case.status;
    match action {
        Action::Transition { transition, note } => {
            let event = case
                .transition(transition, official.actor(), note.clone(), &state.sla, now)
                .map_err(|err| match err {
                    CaseError::Illegal(illegal) => ApiError::IllegalTransition {
                        status,
                        message: illegal.to_string(),
                    },
                    other => ApiError::IllegalTransition {
                        status,
                        message: other.to_string(),
                    },
                })?;
            let note = note.unwrap_or_default();
            let notice = match transition {
                Transition::Verify => Some(Notice::Verified),
                Transition::Reject => Some(Notice::Rejected { reason: note }),
                Transition::Start | Transition::Reopen => Some(Notice::InProgress),
                // With the official's photo of the work, while WhatsApp keeps it.
                Transition::Resolve => Some(Notice::Resolved {
                    note,
                    photo: case
                        .evidence_photo
                        .as_ref()
                        .and_then(|p| p.sendable_at(now))
                        .map(str::to_owned),
                }),
                Transition::Answer => Some(Notice::Answered { answer: note }),
                Transition::Close | Transition::Withdraw | Transition::Dispose => None,
            };
            Ok((event, notice))
        }
        Action::Reclassify(change) => {
            let event = case
                .reclassify(change, official.actor(), now)
                .map_err(|err| match err {
                    ReclassifyError::NotOpen(status) => ApiError::IllegalTransition {
                        status,
                        message: err.to_string(),
                    },
                    ReclassifyError::Nothing => ApiError::invalid("kind", err.to_string()),
                })?;
            Ok((event, None))
        }
        Action::Forward { to, reason } => {
            let to = Destination::parse(&to, &state.tree, units)
                .map_err(|err| ApiError::invalid("to", err.to_string()))?;
            let event = case
                .forward(&to, &official.scope, official.actor(), reason, &state.sla, now)
                .map_err(|err| match err {
                    ForwardError::NotOpen(status) => ApiError::IllegalTransition {
                        status,
                        message: err.to_string(),
                    },
                    ForwardError::NotHolder { .. } => ApiError::OutsideScope {
                        field: "to",
                        scope: official.scope.clone(),
                    },
                    ForwardError::SamePlace(_) | ForwardError::NotBelow => {
                        ApiError::invalid("to", err.to_string())
                    }
                })?;
            let notice = Notice::Forwarded {
                level: case.level.clone(),
            };
            Ok((event, Some(notice)))
        }
        Action::Dispose { closure, reason } => {
            let notice = match &closure {
                Closure::OutsideAuthority { to } => Notice::OutsideAuthority {
                    reason: reason.clone(),
                    to: to.clone(),
                },
                _ => Notice::NoFurtherAction {
                    reason: reason.clone(),
                },
            };
            let event = case
                .close_as(closure, official.actor(), Some(reason), &state.sla, now)
                .map_err(|illegal| ApiError::IllegalTransition {
                    status,
                    message: illegal.to_string(),
                })?;
            Ok((event, Some(notice)))
        }
        Action::Note(text) => {
            case.updated_at = now;
            let event = TimelineEvent::new(now, official.actor(), EventBody::Note { text });
            Ok((event, None))
        }
        Action::KeepFiles(text) => {
            case.keep_files = true;
            case.updated_at = now;
            let event = TimelineEvent::new(now, official.actor(), EventBody::Note { text });
            Ok((event, None))
        }
        Action::Publish(publication) => Ok((publication.apply(state, case, official, now).await?, None)),
        // Both cases' writes are the merge module's.
    }
}
