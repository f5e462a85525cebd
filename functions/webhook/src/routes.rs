//! HTTP routes (API Gateway HTTP API, payload 2.0): Meta's handshake and
//! deliveries, Twilio's deliveries. Status codes are decided here only.

use chrono::Utc;
use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};

use aduan_shared::archive::MediaJob;
use aduan_shared::domain::case::Channel;
use aduan_shared::domain::ticket::Ticket;
use aduan_shared::whatsapp::{meta, signature, twilio, Inbound};

use crate::inbound::{change_identity, process, DueReply, InboundError, Outcome, Reply};
use crate::{officials, App};

/// Lambda accepts 6 MB events; a WhatsApp delivery is far smaller.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

pub async fn handle(app: &App, request: Request) -> Response<Body> {
    let path = request.uri().path().trim_end_matches('/').to_owned();
    match (request.method(), path.as_str()) {
        (&Method::GET, "/webhook") => verify_handshake(app, &request),
        (&Method::POST, "/webhook") => meta_delivery(app, &request).await,
        (&Method::POST, "/webhook/twilio") => twilio_delivery(app, &request).await,
        _ => plain(StatusCode::NOT_FOUND, "not found"),
    }
}

fn plain(status: StatusCode, text: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(Body::Text(text.to_owned()))
        .expect("a static response builds")
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Meta's verification: echo the challenge when the token matches.
fn verify_handshake(app: &App, request: &Request) -> Response<Body> {
    let Some(expected) = app.meta.as_ref().and_then(|m| m.verify_token.as_deref()) else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    let params = request.query_string_parameters();
    let mode = params.first("hub.mode");
    let token = params.first("hub.verify_token").unwrap_or_default();
    match (mode, params.first("hub.challenge")) {
        (Some("subscribe"), Some(challenge)) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => {
            plain(StatusCode::OK, challenge)
        }
        _ => plain(StatusCode::FORBIDDEN, "forbidden"),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn meta_delivery(app: &App, request: &Request) -> Response<Body> {
    let Some(meta_config) = &app.meta else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    // lambda_http has already decoded a base64 body: these are the bytes Meta signed.
    let body: &[u8] = request.body().as_ref();
    if body.len() > MAX_BODY {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "payload too large");
    }
    if let Err(e) = signature::verify_meta(
        &meta_config.app_secret,
        body,
        header(request, "x-hub-signature-256"),
    ) {
        tracing::warn!(error = %e, "rejected a delivery: bad signature");
        return plain(StatusCode::UNAUTHORIZED, "invalid signature");
    }
    let delivery = match meta::parse(body) {
        Ok(delivery) => delivery,
        Err(e) => {
            tracing::warn!(error = %e, "rejected a signed delivery: malformed");
            return plain(StatusCode::BAD_REQUEST, "malformed body");
        }
    };
    for skipped in &delivery.skipped {
        tracing::warn!(%skipped, "skipped an item of a delivery");
    }
    let mut failed = false;
    // Before the messages: one from the new number then finds the record.
    for change in &delivery.identity_changes {
        match change_identity(&app.store, &app.desk, change).await {
            Ok(changed) => tracing::info!(?changed, kind = ?change.kind, "a citizen's ids changed"),
            Err(e) if e.redelivery_may_help() => {
                tracing::error!(error = %e, "change of ids not stored; asking for redelivery");
                failed = true;
            }
            Err(e) => tracing::error!(error = %e, "change of ids dropped"),
        }
    }
    let mut files = Vec::new();
    for inbound in &delivery.messages {
        match process(&app.store, &app.desk, inbound, Utc::now()).await {
            Ok(Outcome::Handled {
                reply,
                media,
                erased_files,
            }) => {
                erase_files(app, &erased_files).await;
                if let Some(reply) = reply {
                    send_reply(app, inbound, *reply).await;
                }
                files.extend(media.map(|job| *job));
            }
            Ok(Outcome::Duplicate) => {}
            Ok(Outcome::ReplyDue(due)) => send_due_reply(app, inbound, &due).await,
            Ok(Outcome::FromOfficial(official)) => {
                failed |= officials::handle(app, inbound, *official, Utc::now()).await.0
            }
            // Answered 200 with the rest, so Meta does not deliver it again.
            Ok(Outcome::TooOld) => dropped_as_replay(inbound),
            Err(e) => failed |= must_retry(inbound, &e),
        }
    }
    keep_files(app, &files).await;
    for status in &delivery.statuses {
        if let Err(e) = app.store.apply_delivery_status(status).await {
            tracing::error!(error = %e, "could not record a delivery status");
            failed = true;
        }
    }
    if failed {
        // Meta delivers again; what was stored is recognised and skipped.
        plain(StatusCode::INTERNAL_SERVER_ERROR, "try again")
    } else {
        plain(StatusCode::OK, "ok")
    }
}

/// Whether a message that was not handled must make the provider deliver
/// it again (the store was unreachable or busy) or is logged and dropped
/// (records that a redelivery, however often, would find the same).
fn must_retry(inbound: &Inbound, error: &InboundError) -> bool {
    let provider = inbound.provider.as_str();
    if error.redelivery_may_help() {
        tracing::error!(provider, %error, "message not stored; asking for redelivery");
        true
    } else {
        tracing::error!(provider, %error, "message dropped: its records cannot be handled");
        false
    }
}

fn dropped_as_replay(inbound: &Inbound) {
    tracing::warn!(
        provider = inbound.provider.as_str(),
        sent_at = %inbound.sent_at,
        "message dropped: sent before the de-duplication window, a replay"
    );
}

async fn send_reply(app: &App, inbound: &Inbound, reply: Reply) {
    let channel = Channel {
        provider: inbound.provider,
        number_id: inbound.number_id.clone(),
    };
    let result = match reply.staged {
        // Saved with the message: if it does not go out now, the sweep sends it.
        Some(staged) => app
            .messenger
            .send_staged(&app.store, staged, Utc::now())
            .await
            .map(|_| ()),
        None => app
            .messenger
            .reply_unrecorded(&channel, &reply.to, &reply.message)
            .await
            .map(|_| ())
            .or_else(|e| {
                tracing::warn!(error = %e, "reply to a command not sent");
                Ok(())
            }),
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "reply outcome not recorded; it stays pending");
    }
}

/// The reply a redelivered message's first attempt saved but did not send
/// (it stopped after the message was recorded): sent now, unless it went out
/// or a sweep took it meanwhile. A failure leaves it pending for the sweep.
async fn send_due_reply(app: &App, inbound: &Inbound, due: &DueReply) {
    let channel = Channel {
        provider: inbound.provider,
        number_id: inbound.number_id.clone(),
    };
    match app
        .messenger
        .send_saved_reply(&app.store, &due.reply, &channel, &due.to, Utc::now())
        .await
    {
        Ok(Some(delivery)) => {
            tracing::info!(case = %due.reply.case_id, ?delivery, "saved reply of a redelivered message")
        }
        Ok(None) => {}
        Err(e) => {
            tracing::error!(error = %e, "saved reply of a redelivered message not recorded; it stays pending")
        }
    }
}

async fn twilio_delivery(app: &App, request: &Request) -> Response<Body> {
    let Some(twilio_config) = &app.twilio else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    let body: &[u8] = request.body().as_ref();
    if body.len() > MAX_BODY {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "payload too large");
    }
    let params = twilio::form_params(body);
    let signed = signature::verify_twilio(
        &twilio_config.auth_token,
        &twilio_config.public_url,
        &params,
        header(request, "x-twilio-signature"),
    );
    if let Err(e) = signed {
        tracing::warn!(error = %e, "rejected a Twilio delivery: bad signature");
        return plain(StatusCode::UNAUTHORIZED, "invalid signature");
    }
    let now = Utc::now();
    let messages = match twilio::parse(&params, now) {
        Ok(messages) => messages,
        // Refused whole, among them an SMS or another channel given to this
        // number (`From`/`To` not `whatsapp:`): 200 with an empty
        // <Response>, so Twilio neither retries nor replies, and nothing is
        // read or stored. The log names the field, never its value.
        Err(skipped) => {
            tracing::warn!(%skipped, "skipped a Twilio delivery");
            return twiml(&[]);
        }
    };
    let mut replies: Vec<String> = Vec::new();
    let mut files = Vec::new();
    for inbound in &messages {
        match process(&app.store, &app.desk, inbound, now).await {
            Ok(Outcome::Handled {
                reply,
                media,
                erased_files,
            }) => {
                erase_files(app, &erased_files).await;
                files.extend(media.map(|job| *job));
                let Some(reply) = reply else { continue };
                replies.push(reply.message.as_plain_text());
                if let Some(case_id) = &reply.case_id {
                    // Answered inline: Twilio sends it, so it is recorded as sent.
                    if let Err(e) = app
                        .messenger
                        .record_inline(&app.store, case_id, &reply.message, now)
                        .await
                    {
                        tracing::error!(error = %e, "inline reply not recorded");
                    }
                }
            }
            // Answered through the API as on Meta's numbers: the command
            // runs first, and its answer may take longer than TwiML waits.
            Ok(Outcome::FromOfficial(official)) => {
                if officials::handle(app, inbound, *official, Utc::now()).await.0 {
                    return plain(StatusCode::INTERNAL_SERVER_ERROR, "try again");
                }
            }
            // Twilio's replies go back inline, never saved as pending.
            Ok(Outcome::Duplicate | Outcome::ReplyDue(_)) => {}
            Ok(Outcome::TooOld) => dropped_as_replay(inbound),
            Err(e) if must_retry(inbound, &e) => {
                // The files of messages already stored are fetched by the sweep.
                return plain(StatusCode::INTERNAL_SERVER_ERROR, "try again");
            }
            Err(_) => {}
        }
    }
    keep_files(app, &files).await;
    twiml(&replies)
}

/// Fetches the delivery's files into the bucket before answering (Lambda
/// freezes the sandbox once it has answered), within one bound for them all
/// (and a little more to delete Twilio's copies of those stored); what is
/// not stored by then is already in the outbox for the sweep.
pub(crate) async fn keep_files(app: &App, files: &[MediaJob]) {
    let Some(archive) = &app.media else { return };
    if files.is_empty() {
        return;
    }
    let deadline = tokio::time::Instant::now() + archive.fetch_timeout();
    for job in files {
        let kept = archive.keep_now(&app.store, job, deadline).await;
        tracing::info!(case = %job.case_id, ?kept, "citizen's file");
    }
}

/// Deletes the files of the cases a citizen's erasure unlinked, before the
/// answer. The erasure recorded each case's deletion as pending: one that
/// fails here is retried by the sweep until the case's prefix is empty
/// (without a bucket there are no files, and the sweep ends them).
async fn erase_files(app: &App, tickets: &[Ticket]) {
    let Some(archive) = &app.media else { return };
    if tickets.is_empty() {
        return;
    }
    let erased = archive.bucket().delete_erased_files(&app.store, tickets).await;
    tracing::info!(?erased, "erased cases' files");
}

fn twiml(replies: &[String]) -> Response<Body> {
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "text/xml; charset=utf-8")
        .body(Body::Text(twilio::twiml(replies)))
        .expect("a static response builds")
}
