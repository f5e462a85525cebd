//! A registered official's WhatsApp message: the code that confirms their
//! number, or a command carried out through the officials' API itself
//! (case-updates' routes, called in-process with the official as a
//! signed-in one of the same scope and role), so the domain transitions,
//! version checks, scope rules and audit are the API's, not a copy. The
//! answer goes back to the official; the citizen hears what the API tells
//! them. Neither ever sees the other's number.

use aduan_shared::archive::MediaJob;
use aduan_shared::conversation::official::{self, CaseCommand, OfficialCommand};
use aduan_shared::domain::case::{Case, Provider};
use aduan_shared::domain::evidence::{EvidencePhoto, OfficialFile};
use aduan_shared::domain::identity::IdKeys;
use aduan_shared::domain::jurisdiction::{JurisdictionPath, NodeKind};
use aduan_shared::domain::lifecycle::Status;
use aduan_shared::domain::official::{CodeCheck, Registration};
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::domain::timeline::{MediaType, MessageContent};
use aduan_shared::store::{InboundKey, StoreError};
use aduan_shared::texts::{render, OfficialTexts, Texts};
use aduan_shared::whatsapp::media::MediaRef;
use aduan_shared::whatsapp::outbound::Outbound;
use aduan_shared::whatsapp::{Inbound, InboundBody};
use case_updates::auth::Official;
use case_updates::error::ApiError;
use case_updates::routes::actions::{self, Versions};
use case_updates::routes::{cases, escalations, evidence, messages, units, visible_case};
use case_updates::AppState;
use chrono::{DateTime, Utc};
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::{json, Value};

use crate::routes::keep_files;
use crate::App;

/// Open cases `DAFTAR` lists at most: a WhatsApp message stays readable.
const LIST_LIMIT: usize = 10;

/// How much of a citizen's text `DAFTAR` shows.
const LIST_TEXT_CHARS: usize = 80;

/// Whether the provider must deliver the message again (the table was
/// unreachable or busy): the command did nothing that a second delivery
/// would repeat.
pub struct MustRetry(pub bool);

/// Handles a message from a registered official's number.
pub async fn handle(
    app: &App,
    inbound: &Inbound,
    mut registration: Registration,
    now: DateTime<Utc>,
) -> MustRetry {
    let key = InboundKey {
        provider: inbound.provider,
        message_id: inbound.message_id.clone(),
    };
    let texts = &app.desk.texts;
    if !registration.is_confirmed() {
        let sender = IdKeys::of(&inbound.from, &app.desk.keys.hasher);
        let words = inbound.body.words().unwrap_or_default();
        let answer = match registration.check_code(words, &sender, &inbound.channel(), now) {
            CodeCheck::Confirmed => render(
                &texts.officials.confirmed,
                &[
                    ("name", registration.name.as_str()),
                    ("scope", &scope_name(app, &registration.scope)),
                ],
            ),
            CodeCheck::Wrong { guesses_left } => render(
                &texts.officials.code_needed,
                &[("left", &guesses_left.to_string())],
            ),
            CodeCheck::Expired => texts.officials.code_expired.clone(),
        };
        // The message is recorded with the registration it changed: a
        // redelivery neither counts a guess twice nor confirms twice.
        return match app
            .store
            .record_official_message(Some(&key), Some(&mut registration))
            .await
        {
            Ok(()) => {
                tracing::info!(official = %registration.id, confirmed = registration.is_confirmed(), "registration code checked");
                answer_official(app, inbound, answer).await;
                MustRetry(false)
            }
            Err(StoreError::DuplicateMessage) => MustRetry(false),
            Err(e) => {
                tracing::error!(error = %e, official = %registration.id, "registration code not recorded");
                MustRetry(true)
            }
        };
    }
    // A reply to a notice acts on the notice's case: one read, only for an
    // official's reply (a citizen's reply context is never looked up).
    let replied_to = match &inbound.replied_to {
        Some(message_id) => match app.store.notice(message_id).await {
            Ok(notice) => notice.map(|n| n.ticket),
            Err(e) => {
                tracing::error!(error = %e, "the notice an official replied to could not be read");
                return MustRetry(true);
            }
        },
        None => None,
    };
    let official = Official::from_registration(&registration);
    let asking = Asking {
        api: &app.officials_api,
        texts,
        official: &official,
        now,
    };
    let command = official::parse(&inbound.body, replied_to.as_ref());
    let answer = match official_file(inbound) {
        // Boxed: its future holds a command's besides the file's, and
        // every delivery's future would grow by it on the stack.
        Some(file) => {
            Box::pin(with_file(
                app,
                &asking,
                inbound,
                &file,
                command,
                replied_to.as_ref(),
            ))
            .await
        }
        None => carry_out(&asking, command).await,
    };
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) => {
            tracing::error!(error = %e, official = %registration.id, "an official's command failed; asking for redelivery");
            return MustRetry(true);
        }
    };
    // Recorded after the command: should this fail, a redelivery repeats
    // it, and a repeated transition is refused as not allowed from the
    // status it reached.
    match app.store.record_official_message(Some(&key), None).await {
        Ok(()) | Err(StoreError::DuplicateMessage) => {}
        Err(e) => tracing::warn!(error = %e, "an official's message not recorded as handled"),
    }
    answer_official(app, inbound, answer).await;
    MustRetry(false)
}

fn scope_name(app: &App, scope: &JurisdictionPath) -> String {
    app.desk
        .tree
        .node(scope)
        .map_or_else(|| scope.as_str().to_owned(), |n| n.display_name())
}

async fn answer_official(app: &App, inbound: &Inbound, text: String) {
    let message = Outbound::Text { body: text };
    if let Err(e) = app
        .messenger
        .reply_unrecorded(&inbound.channel(), &inbound.from, &message)
        .await
    {
        tracing::warn!(error = %e, "answer to an official not sent");
    }
}

/// The photo, video or document in an official's message, if it is one
/// (a voice note or a sticker is not evidence of the work).
fn official_file(inbound: &Inbound) -> Option<OfficialFile> {
    let InboundBody::Content(MessageContent::Media {
        media_type: media_type @ (MediaType::Image | MediaType::Video | MediaType::Document),
        media_id,
        mime_type,
        caption,
        url,
    }) = &inbound.body
    else {
        return None;
    };
    Some(OfficialFile {
        message_id: inbound.message_id.clone(),
        media_type: *media_type,
        media_id: media_id.clone(),
        mime_type: mime_type.clone(),
        caption: caption.clone(),
        url: url.clone(),
    })
}

/// A photo (video, document) of the work: kept on the case it names (or
/// whose notice it answers) as the API's rules allow, then the command in
/// its caption, if any, carried out, so that `SELESAI` sent with a photo
/// shows it to the citizen. `Err` only for what a redelivery may mend.
async fn with_file(
    app: &App,
    asking: &Asking<'_>,
    inbound: &Inbound,
    file: &OfficialFile,
    command: OfficialCommand,
    replied_to: Option<&Ticket>,
) -> Result<String, ApiError> {
    let t = &asking.texts.officials;
    let is_photo = file.media_type == MediaType::Image;
    let Some(ticket) = official::photo_ticket(file.caption.as_deref(), &command, replied_to) else {
        return Ok(if is_photo {
            &t.photo_no_ticket
        } else {
            &t.file_no_ticket
        }
        .clone());
    };
    // Only a photo goes on to the citizen.
    let upload = async {
        if is_photo {
            upload_for_citizen(app, inbound, file, asking.now).await
        } else {
            None
        }
    };
    let attached = match evidence::attach(
        asking.api,
        asking.official,
        ticket.as_str(),
        file,
        upload,
        asking.now,
    )
    .await
    {
        Ok(attached) => attached,
        Err(e) => return refusal(asking.texts, &ticket, &e).ok_or(e),
    };
    let files: Vec<MediaJob> = MediaJob::of(
        &attached.case_id,
        &attached.ticket,
        inbound.provider,
        &attached.event,
    )
    .into_iter()
    .collect();
    keep_files(app, &files).await;
    let kept = match (is_photo, attached.sendable) {
        (true, true) => &t.photo_kept,
        (true, false) => &t.photo_kept_only,
        (false, _) => &t.file_kept,
    };
    let mut answer = render(kept, &[("ticket", ticket.as_str())]);
    if let OfficialCommand::Case { .. } = command {
        answer = format!("{answer}\n{}", Box::pin(carry_out(asking, command)).await?);
    }
    Ok(answer)
}

/// Meta's image limit: larger photos are kept, not sent on.
const MAX_SENDABLE_IMAGE_BYTES: u64 = 5 * 1024 * 1024;
/// The download and the upload together, within the webhook's 15 s.
const UPLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(6);

/// The photo uploaded from the number that received it, for sending on to
/// the citizen; `None` (logged) when it cannot be: the photo is kept all
/// the same, and the resolution goes without it. Through Twilio it cannot:
/// Twilio sends media only from a public URL, and the bucket stays closed.
async fn upload_for_citizen(
    app: &App,
    inbound: &Inbound,
    photo: &OfficialFile,
    now: DateTime<Utc>,
) -> Option<EvidencePhoto> {
    if inbound.provider != Provider::Meta {
        return None;
    }
    let api = &app.messenger.api;
    let media = MediaRef {
        provider: Provider::Meta,
        media_id: &photo.media_id,
        url: None,
    };
    let upload = async {
        let file = api
            .media_downloader()
            .download(&media, MAX_SENDABLE_IMAGE_BYTES)
            .await
            .map_err(|e| e.to_string())?;
        // WhatsApp sends JPEG and PNG images.
        let mime = file
            .mime_type
            .as_deref()
            .or(photo.mime_type.as_deref())
            .map(|m| m.split(';').next().unwrap_or(m).trim().to_ascii_lowercase())
            .filter(|m| m == "image/jpeg" || m == "image/png")
            .ok_or_else(|| "not a JPEG or PNG image".to_owned())?;
        api.upload_media(&inbound.number_id, file.bytes, &mime)
            .await
            .map_err(|e| e.to_string())
    };
    match tokio::time::timeout(UPLOAD_TIMEOUT, upload).await {
        Ok(Ok(media_id)) => Some(EvidencePhoto {
            media_id,
            uploaded_at: now,
        }),
        Ok(Err(error)) => {
            tracing::warn!(%error, "an official's photo not readied for the citizen");
            None
        }
        Err(_) => {
            tracing::warn!("an official's photo not readied for the citizen in time");
            None
        }
    }
}

/// Who asks, and what answering needs.
struct Asking<'a> {
    api: &'a AppState,
    texts: &'a Texts,
    official: &'a Official,
    now: DateTime<Utc>,
}

/// Carries a command out and words the answer. `Err` only for what a
/// redelivery may mend (the table unreachable or busy).
async fn carry_out(asking: &Asking<'_>, command: OfficialCommand) -> Result<String, ApiError> {
    let t = &asking.texts.officials;
    let (ticket, command) = match command {
        OfficialCommand::Help => return Ok(t.help.clone()),
        OfficialCommand::Incomplete(which) => return Ok(usage(t, which).to_owned()),
        // Taken as a citizen's report before it reaches here.
        OfficialCommand::Report(_) => return Ok(t.usage_lapor.clone()),
        OfficialCommand::List => return list(asking).await,
        OfficialCommand::Case { ticket: None, .. } => return Ok(t.no_ticket.clone()),
        OfficialCommand::Case {
            ticket: Some(ticket),
            command,
        } => (ticket, command),
    };
    let result = match command {
        CaseCommand::Info => info(asking, &ticket).await,
        CaseCommand::Forward { to: None, .. } => choices(asking, &ticket).await,
        command => act(asking, &ticket, command).await,
    };
    match result {
        Ok(answer) => Ok(answer),
        Err(e) => refusal(asking.texts, &ticket, &e).ok_or(e),
    }
}

fn usage<'t>(t: &'t OfficialTexts, which: &str) -> &'t str {
    match which {
        "tolak" => &t.usage_tolak,
        "selesai" => &t.usage_selesai,
        "balas" => &t.usage_balas,
        "teruskan" => &t.usage_teruskan,
        "gabung" => &t.usage_gabung,
        "lapor" => &t.usage_lapor,
        _ => &t.help,
    }
}

async fn act(asking: &Asking<'_>, ticket: &Ticket, command: CaseCommand) -> Result<String, ApiError> {
    let Asking {
        api,
        texts,
        official,
        now,
    } = *asking;
    let t = &texts.officials;
    let (response, done) = match &command {
        CaseCommand::Reply { text } => {
            let req = request(json!({ "text": text }));
            (
                messages::send(api, official, ticket.as_str(), &req, now).await?,
                &t.replied,
            )
        }
        // To the next tier up, as the case is now.
        CaseCommand::Escalate => {
            let req = request(json!({}));
            (
                escalations::escalate(api, official, ticket.as_str(), &req, now).await?,
                &t.escalated,
            )
        }
        command => {
            let (body, done) = match command {
                CaseCommand::Verify => (json!({ "action": "verify" }), &t.verified),
                CaseCommand::Start => (json!({ "action": "start" }), &t.started),
                CaseCommand::Reject { reason } => {
                    (json!({ "action": "reject", "reason": reason }), &t.rejected)
                }
                CaseCommand::Resolve { note } => (json!({ "action": "resolve", "note": note }), &t.resolved),
                CaseCommand::Merge { into } => {
                    (json!({ "action": "merge", "into": into.as_str() }), &t.merged)
                }
                CaseCommand::Forward {
                    to: Some(typed),
                    reason,
                } => {
                    // The case's place names the units and tiers typed.
                    let case = visible_case(api, official, ticket.as_str()).await?;
                    let choices = forward_choices(api, &case, now).await?;
                    let to = official::destination(typed, &api.tree, &kelurahan_of(api, &case), &choices)
                        .ok_or_else(|| ApiError::invalid("to", typed.clone()))?;
                    (
                        json!({ "action": "forward", "to": to, "reason": reason }),
                        &t.forwarded,
                    )
                }
                _ => unreachable!("replies, escalations, info and lists are answered above"),
            };
            let body = body.to_string();
            let response = actions::act_on(
                api,
                official,
                ticket.as_str(),
                body.as_bytes(),
                Versions::AsRead,
                now,
            )
            .await
            .map_err(|e| match (e, command) {
                // A place the API does not know: named as the official typed it.
                (ApiError::Invalid { field: "to", .. }, CaseCommand::Forward { to: Some(typed), .. }) => {
                    ApiError::invalid("to", typed.clone())
                }
                (e, _) => e,
            })?;
            (response, done)
        }
    };
    let answer = json_of(response)?;
    let told = told(t, &answer);
    let to = answer["case"]["level_name"]
        .as_str()
        .or_else(|| answer["level_name"].as_str())
        .unwrap_or_default()
        .to_owned();
    let to = answer["case"]["handed_down_name"]
        .as_str()
        .map_or(to, str::to_owned);
    let into = match &command {
        CaseCommand::Merge { into } => into.as_str().to_owned(),
        _ => String::new(),
    };
    Ok(render(
        done,
        &[
            ("ticket", ticket.as_str()),
            ("told", &told),
            ("to", &to),
            ("into", &into),
        ],
    ))
}

/// What the API said of the message to the citizen.
fn told(t: &OfficialTexts, answer: &Value) -> String {
    let delivery = answer["notification"]["delivery"]
        .as_str()
        .or_else(|| answer["delivery"].as_str());
    match delivery {
        Some("sent") => t.citizen_told.clone(),
        Some("pending") => t.citizen_later.clone(),
        Some(_) => t.citizen_not_reachable.clone(),
        None => String::new(),
    }
}

async fn info(asking: &Asking<'_>, ticket: &Ticket) -> Result<String, ApiError> {
    let Asking {
        api,
        texts,
        official,
        now,
    } = *asking;
    // The API's detail: the read is audited as the console's is.
    let response = cases::get(api, official, ticket.as_str(), &request(Value::Null), now).await?;
    let detail = json_of(response)?;
    let case = &detail["case"];
    let field = |name: &str| case[name].as_str().unwrap_or("-").to_owned();
    let status = status_name(texts, case);
    let kind = case["kind"]
        .as_str()
        .and_then(aduan_shared::domain::kind::CaseKind::parse)
        .map_or_else(|| "-".to_owned(), |k| texts.kind_name(k).to_owned());
    let mut lines = vec![render(
        &texts.officials.info,
        &[
            ("ticket", ticket.as_str()),
            ("kind", &kind),
            ("status", &status),
            ("area", &field("area_name")),
            ("level", &field("level_name")),
            ("category", &field("category")),
            ("due", &due(api, case)),
            ("text", &field("description")),
        ],
    )];
    // The API's suggested duplicates, for GABUNG.
    let suggested = detail["suggestions"].as_array().filter(|s| !s.is_empty());
    if let Some(suggested) = suggested {
        lines.push(render(
            &texts.officials.info_duplicates,
            &[("ticket", ticket.as_str())],
        ));
        for other in suggested {
            let text: String = other["description"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(LIST_TEXT_CHARS)
                .collect();
            lines.push(render(
                &texts.officials.info_duplicate_line,
                &[
                    ("other", other["ticket"].as_str().unwrap_or_default()),
                    ("status", &status_name(texts, other)),
                    ("text", &text),
                ],
            ));
        }
    }
    Ok(lines.join("\n"))
}

async fn list(asking: &Asking<'_>) -> Result<String, ApiError> {
    let Asking {
        api,
        texts,
        official,
        now,
    } = *asking;
    let query = std::collections::HashMap::from([("status".to_owned(), "open".to_owned())]);
    let req = request(Value::Null).with_query_string_parameters(query);
    let page = json_of(cases::list(api, official, &req, now).await?)?;
    let mut open: Vec<&Value> = page["cases"]
        .as_array()
        .map(|c| c.iter().collect())
        .unwrap_or_default();
    if open.is_empty() {
        return Ok(texts.officials.list_none.clone());
    }
    // Most urgent first: the earliest deadline; those without one last.
    open.sort_by_key(|c| c["due_at"].as_str().map_or_else(|| "~".to_owned(), str::to_owned));
    let mut lines = vec![texts.officials.list_header.clone()];
    for case in open.into_iter().take(LIST_LIMIT) {
        let text: String = case["description"]
            .as_str()
            .unwrap_or_default()
            .chars()
            .take(LIST_TEXT_CHARS)
            .collect();
        lines.push(render(
            &texts.officials.list_line,
            &[
                ("ticket", case["ticket"].as_str().unwrap_or_default()),
                ("status", &status_name(texts, case)),
                ("due", &due(api, case)),
                ("text", &text),
            ],
        ));
    }
    Ok(lines.join("\n"))
}

/// `TERUSKAN <tiket>` alone: the numbered list of places it may go.
async fn choices(asking: &Asking<'_>, ticket: &Ticket) -> Result<String, ApiError> {
    let Asking {
        api,
        texts,
        official,
        now,
    } = *asking;
    let case = visible_case(api, official, ticket.as_str()).await?;
    let choices = forward_choices(api, &case, now).await?;
    let mut lines = vec![render(
        &texts.officials.choices_header,
        &[("ticket", ticket.as_str())],
    )];
    for (n, (_, name)) in choices.iter().enumerate() {
        lines.push(render(
            &texts.officials.choice_line,
            &[("number", &(n + 1).to_string()), ("name", name)],
        ));
    }
    Ok(lines.join("\n"))
}

async fn forward_choices(
    api: &AppState,
    case: &Case,
    now: DateTime<Utc>,
) -> Result<Vec<(String, String)>, ApiError> {
    let kelurahan = kelurahan_of(api, case);
    let units = match api
        .tree
        .node(&kelurahan)
        .filter(|n| n.kind == NodeKind::Kelurahan)
    {
        Some(node) => units::of_kelurahan(api, node, now)
            .await?
            .units()
            .iter()
            .map(|u| u.path.clone())
            .collect(),
        None => Vec::new(),
    };
    let holder = case.handed_down_to.as_ref().unwrap_or(case.area());
    Ok(official::forward_choices(&api.tree, &kelurahan, holder, &units))
}

/// The case's kelurahan (the node above its RW or RT), else its area.
fn kelurahan_of(api: &AppState, case: &Case) -> JurisdictionPath {
    case.area()
        .lineage()
        .into_iter()
        .find(|p| api.tree.node(p).is_some_and(|n| n.kind == NodeKind::Kelurahan))
        .unwrap_or_else(|| case.area().clone())
}

fn status_name(texts: &Texts, case: &Value) -> String {
    case["status"]
        .as_str()
        .and_then(|s| Status::ALL.into_iter().find(|st| st.as_str() == s))
        .map_or_else(|| "-".to_owned(), |s| texts.status_name(s).to_owned())
}

fn due(api: &AppState, case: &Value) -> String {
    case["due_at"]
        .as_str()
        .and_then(|raw| DateTime::parse_from_rfc3339(raw).ok())
        .map_or_else(
            || "-".to_owned(),
            |at| {
                api.sla
                    .calendar
                    .local_date(at.with_timezone(&Utc))
                    .format("%d/%m/%Y")
                    .to_string()
            },
        )
}

/// The refusals an official can mend by writing again, in their words;
/// `None` for failures a redelivery may mend.
fn refusal(texts: &Texts, ticket: &Ticket, error: &ApiError) -> Option<String> {
    let t = &texts.officials;
    let ticket = ticket.as_str();
    Some(match error {
        ApiError::CaseNotFound => render(&t.not_found, &[("ticket", ticket)]),
        ApiError::ReadOnly(_) => t.read_only.clone(),
        ApiError::IllegalTransition { status, .. } => render(
            &t.not_now,
            &[("ticket", ticket), ("status", texts.status_name(*status))],
        ),
        ApiError::VersionConflict { .. } => render(&t.changed_meanwhile, &[("ticket", ticket)]),
        ApiError::Invalid { field: "to", message } => {
            render(&t.unknown_destination, &[("ticket", ticket), ("to", message)])
        }
        e if e.status().is_server_error() => return None,
        other => render(&t.refused, &[("ticket", ticket), ("reason", &other.to_string())]),
    })
}

/// A request to one of the API's routes, carrying a JSON body.
fn request(body: Value) -> Request {
    let body = match body {
        Value::Null => Body::Empty,
        body => Body::Text(body.to_string()),
    };
    Request::new(body)
}

fn json_of(response: Response<Body>) -> Result<Value, ApiError> {
    serde_json::from_slice(response.body().as_ref()).map_err(|_| ApiError::Internal)
}
