//! Sending messages: Meta's Cloud API (`POST {base}/{phone_number_id}/messages`
//! with the bearer token) or, for numbers connected through Twilio, Twilio's
//! Messages API. Built once per cold start; every call is bounded in time so a
//! slow provider cannot eat the invocation.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

use super::credentials::Credentials;
// Callers name the account where they build the client.
pub use super::credentials::{ContentTemplates, TwilioAccount};
use super::media::MediaDownloader;
use super::outbound::Outbound;
use crate::domain::case::{Channel, Provider};
use crate::domain::identity::Sender;

/// The Graph API version the Cloud API is called at, unless configured.
pub const DEFAULT_META_API_BASE: &str = "https://graph.facebook.com/v23.0";
pub const DEFAULT_TWILIO_API_BASE: &str = "https://api.twilio.com";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The provider answered and refused: retrying the same request may or
    /// may not help (`retryable` says which).
    #[error("the provider refused the message (HTTP {status}{})", code.map(|c| format!(", code {c}")).unwrap_or_default())]
    Refused {
        status: u16,
        code: Option<i64>,
        retryable: bool,
    },
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the provider's answer had no message id")]
    NoMessageId,
    #[error("this deployment has no credentials for {0}")]
    NotConfigured(&'static str),
    /// Twilio sends to numbers only, and this citizen is known by a BSUID alone.
    #[error("the citizen's number is not known, and Twilio needs one")]
    NoNumber,
}

/// Meta's "Business-scoped User ID recipients are not supported for this
/// message" (the Business-scoped user IDs page). Retried: the message stays
/// pending, and each attempt opens the contact afresh, so it goes to the
/// number once the citizen writes with it.
pub const BSUID_RECIPIENT_UNSUPPORTED: i64 = 131_062;

impl SendError {
    pub fn is_retryable(&self) -> bool {
        match self {
            SendError::Refused { retryable, .. } => *retryable,
            SendError::Unreachable(_) | SendError::NoMessageId => true,
            SendError::NotConfigured(_) | SendError::NoNumber => false,
        }
    }
}

#[derive(Clone)]
pub struct WhatsAppApi {
    http: reqwest::Client,
    creds: Credentials,
}

impl WhatsAppApi {
    pub fn new(meta_base: &str, meta_token: &str, twilio_base: &str, twilio: Option<TwilioAccount>) -> Self {
        let http = super::http::https_client(Duration::from_secs(3), Duration::from_secs(8));
        Self {
            http,
            creds: Credentials::new(meta_base, meta_token, twilio_base, twilio),
        }
    }

    /// Downloads citizens' files with the same credentials.
    pub fn media_downloader(&self) -> MediaDownloader {
        MediaDownloader::with(self.creds.clone())
    }

    /// Sends `message` to `to` (by number when known, else by BSUID) from
    /// the number in `channel`; the provider's message id on success.
    pub async fn send(
        &self,
        channel: &Channel,
        to: &Sender,
        message: &Outbound,
    ) -> Result<String, SendError> {
        match channel.provider {
            Provider::Meta => self.send_meta(&channel.number_id, to, message).await,
            Provider::Twilio => self.send_twilio(&channel.number_id, to, message).await,
        }
    }

    async fn send_meta(&self, number_id: &str, to: &Sender, message: &Outbound) -> Result<String, SendError> {
        let url = format!("{}/{}/messages", self.creds.meta_base, number_id);
        let response = self
            .http
            .post(url)
            .bearer_auth(&self.creds.meta_token)
            .json(&message.to_meta_json(to.recipient()))
            .send()
            .await
            .map_err(|e| SendError::Unreachable(without_url(e)))?;
        id_in(
            answer(response, "/error/code", Some(BSUID_RECIPIENT_UNSUPPORTED)).await?,
            "/messages/0/id",
        )
    }

    /// Uploads an image to Meta from the number `number_id` (Meta's
    /// "Upload media": `POST {base}/{phone_number_id}/media`, multipart with
    /// `messaging_product`, `type` and `file`): the media id a message or a
    /// template header may send, kept by Meta for 30 days. Received media
    /// cannot be sent on by their own id.
    pub async fn upload_media(
        &self,
        number_id: &str,
        bytes: Vec<u8>,
        mime_type: &str,
    ) -> Result<String, SendError> {
        let url = format!("{}/{}/media", self.creds.meta_base, number_id);
        let boundary = format!("aduan-{}", ulid::Ulid::new());
        let response = self
            .http
            .post(url)
            .bearer_auth(&self.creds.meta_token)
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(multipart(&boundary, mime_type, bytes))
            .send()
            .await
            .map_err(|e| SendError::Unreachable(without_url(e)))?;
        id_in(answer(response, "/error/code", None).await?, "/id")
    }

    /// Twilio has no interactive lists here: the plain-text form is sent,
    /// whose numbered options a citizen answers by typing. A template the
    /// account has a Content SID for goes as that template, its parameters
    /// as the Content variables `1`, `2`, …, so it is sent outside the
    /// 24-hour window too; any other as its plain text, which Twilio sends
    /// only within it.
    async fn send_twilio(&self, from: &str, to: &Sender, message: &Outbound) -> Result<String, SendError> {
        let to = to.phone().ok_or(SendError::NoNumber)?;
        let account = self
            .creds
            .twilio
            .as_ref()
            .ok_or(SendError::NotConfigured("Twilio"))?;
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.creds.twilio_base, account.account_sid
        );
        let auth = STANDARD.encode(format!("{}:{}", account.account_sid, account.auth_token));
        let to = format!("whatsapp:+{}", to.expose());
        let response = self
            .http
            .post(url)
            .header("Authorization", format!("Basic {auth}"))
            .form(&twilio_form(from, &to, message, &account.content))
            .send()
            .await
            .map_err(|e| SendError::Unreachable(without_url(e)))?;
        id_in(answer(response, "/code", None).await?, "/sid")
    }
}

/// The fields of a send through Twilio's Messages resource.
fn twilio_form(
    from: &str,
    to: &str,
    message: &Outbound,
    content: &ContentTemplates,
) -> Vec<(&'static str, String)> {
    let mut form = vec![("From", from.to_owned()), ("To", to.to_owned())];
    let approved = match message {
        Outbound::Template { name, params, .. } => content.sid(name).map(|sid| (sid, params)),
        _ => None,
    };
    match approved {
        Some((sid, params)) => {
            let variables: serde_json::Map<String, Value> = params
                .iter()
                .enumerate()
                .map(|(n, p)| ((n + 1).to_string(), Value::from(p.as_str())))
                .collect();
            form.push(("ContentSid", sid.to_owned()));
            form.push(("ContentVariables", Value::Object(variables).to_string()));
        }
        None => form.push(("Body", message.as_plain_text())),
    }
    form
}

/// The provider's JSON answer, or its refusal with the error code found at
/// `code_at`: worth retrying when it was busy or failing, or for the code
/// `retry_code`.
async fn answer(
    response: reqwest::Response,
    code_at: &str,
    retry_code: Option<i64>,
) -> Result<Value, SendError> {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(body);
    }
    let code = body.pointer(code_at).and_then(Value::as_i64);
    Err(SendError::Refused {
        status: status.as_u16(),
        code,
        retryable: status.as_u16() == 429
            || status.is_server_error()
            || (code.is_some() && code == retry_code),
    })
}

/// The id the provider gave, at `pointer` in its answer.
fn id_in(body: Value, pointer: &str) -> Result<String, SendError> {
    body.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or(SendError::NoMessageId)
}

/// The upload's form: the three fields Meta's "Upload media" names.
fn multipart(boundary: &str, mime_type: &str, file: Vec<u8>) -> Vec<u8> {
    let field = |name: &str, value: &str| {
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
    };
    let mut body = field("messaging_product", "whatsapp").into_bytes();
    body.extend(field("type", mime_type).into_bytes());
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo\"\r\nContent-Type: {mime_type}\r\n\r\n")
            .into_bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").into_bytes());
    body
}

/// reqwest's errors include the URL; ours hold no personal data, but keep
/// the message about the failure only.
fn without_url(error: reqwest::Error) -> String {
    error.without_url().to_string()
}
