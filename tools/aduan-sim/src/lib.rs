//! A command-line simulator for the local stack (`make dev`): a citizen's
//! WhatsApp (deliveries signed as Meta signs them, replies read from the
//! send-API stand-in), officials on the API with tokens from the
//! development issuer, the scheduled jobs, and what SNS published.
//! [`demo`] plays a whole case through it (`make demo`).

pub mod demo;
pub mod print;

use std::collections::HashMap;
use std::sync::Mutex;

use aduan_shared::whatsapp::meta::fixtures;
use aduan_shared::whatsapp::signature::sign_meta;
use serde_json::{json, Value};

/// What `make dev` uses unless told otherwise (tools/aduan-dev).
pub const DEFAULT_API: &str = "http://127.0.0.1:3000";
pub const DEFAULT_APP_SECRET: &str = "dev-app-secret";
pub const DEFAULT_NUMBER_ID: &str = "1000000001";

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot reach {url}: {source} (is `make dev` running?)")]
    Unreachable { url: String, source: reqwest::Error },
    #[error("{what}: HTTP {status}: {body}")]
    Status { what: String, status: u16, body: String },
    #[error("{0}")]
    Unexpected(String),
}

/// A reply a choice can answer: a list row or a reply button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub title: String,
    kind: ChoiceKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChoiceKind {
    ListRow,
    Button,
}

/// A message the bot sent a citizen, as the send-API stand-in received it.
#[derive(Debug, Clone, PartialEq)]
pub struct BotMessage {
    pub text: String,
    /// Rows of a list or reply buttons, in order; empty for plain text.
    pub choices: Vec<Choice>,
    /// Sent as an approved template (outside the 24-hour window).
    pub template: Option<String>,
}

impl BotMessage {
    /// `received`: one of `/dev/whatsapp`'s records (the send-API body and
    /// its readable text).
    fn from_send(received: &Value) -> Self {
        let body = &received["body"];
        let interactive = &body["interactive"];
        let rows = interactive["action"]["sections"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|section| section["rows"].as_array().into_iter().flatten())
            .map(|row| choice(&row["id"], &row["title"], ChoiceKind::ListRow));
        let buttons = interactive["action"]["buttons"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|b| choice(&b["reply"]["id"], &b["reply"]["title"], ChoiceKind::Button));
        Self {
            text: received["text"].as_str().unwrap_or_default().to_owned(),
            choices: rows.chain(buttons).collect(),
            template: body["template"]["name"].as_str().map(str::to_owned),
        }
    }
}

fn choice(id: &Value, title: &Value, kind: ChoiceKind) -> Choice {
    Choice {
        id: id.as_str().unwrap_or_default().to_owned(),
        title: title.as_str().unwrap_or_default().to_owned(),
        kind,
    }
}

/// What a citizen sends.
#[derive(Debug, Clone)]
pub enum Content {
    Text(String),
    Photo { caption: Option<String> },
    Location { latitude: f64, longitude: f64 },
    Choice(Choice),
}

/// A connection to a running `make dev`.
pub struct Sim {
    http: reqwest::Client,
    api: String,
    app_secret: String,
    number_id: String,
    tokens: Mutex<HashMap<String, String>>,
    sent: Mutex<u64>,
}

impl Sim {
    pub fn new(api: &str, app_secret: &str, number_id: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            api: api.trim_end_matches('/').to_owned(),
            app_secret: app_secret.to_owned(),
            number_id: number_id.to_owned(),
            tokens: Mutex::default(),
            sent: Mutex::default(),
        }
    }

    /// Sends what a citizen wrote as Meta delivers it (signed with the app
    /// secret) and returns the bot's replies to them.
    pub async fn citizen(&self, from: &str, content: Content) -> Result<Vec<BotMessage>, SimError> {
        let before = self.inbox(from).await?.len();
        let id = {
            let mut sent = self.sent.lock().expect("not poisoned");
            *sent += 1;
            format!("wamid.SIM{}{}", chrono::Utc::now().timestamp_micros(), *sent)
        };
        let now = chrono::Utc::now().timestamp();
        let n = &self.number_id;
        let delivery = match content {
            Content::Text(body) => fixtures::text(n, from, &id, now, &body),
            Content::Photo { caption } => {
                let mut image =
                    json!({"id": format!("MEDIA-{id}"), "mime_type": "image/jpeg", "sha256": "c2ltdWxhdG9y"});
                if let Some(caption) = caption {
                    image["caption"] = json!(caption);
                }
                fixtures::message(n, from, &id, now, "image", image)
            }
            Content::Location { latitude, longitude } => fixtures::message(
                n,
                from,
                &id,
                now,
                "location",
                json!({"latitude": latitude, "longitude": longitude}),
            ),
            Content::Choice(choice) => {
                let reply = json!({"id": choice.id, "title": choice.title});
                let interactive = match choice.kind {
                    ChoiceKind::ListRow => json!({"type": "list_reply", "list_reply": reply}),
                    ChoiceKind::Button => json!({"type": "button_reply", "button_reply": reply}),
                };
                fixtures::message(n, from, &id, now, "interactive", interactive)
            }
        };
        let bytes = serde_json::to_vec(&delivery).expect("JSON");
        let url = format!("{}/webhook", self.api);
        let signature = sign_meta(self.app_secret.as_bytes(), &bytes);
        let request = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature)
            .body(bytes);
        expect_ok("the webhook", self.exchange(request, &url).await?)?;
        Ok(self.inbox(from).await?.split_off(before))
    }

    /// Answers the latest list or buttons the bot sent `from`: `wanted` is a
    /// row's or button's title (case-insensitive, a prefix will do), its id,
    /// or its position from 1.
    pub async fn choose(&self, from: &str, wanted: &str) -> Result<Vec<BotMessage>, SimError> {
        let inbox = self.inbox(from).await?;
        let Some(offer) = inbox.iter().rev().find(|m| !m.choices.is_empty()) else {
            return Err(SimError::Unexpected(format!(
                "the bot has offered {from} nothing to choose from"
            )));
        };
        let choice = pick(&offer.choices, wanted).ok_or_else(|| {
            let titles: Vec<&str> = offer.choices.iter().map(|c| c.title.as_str()).collect();
            SimError::Unexpected(format!("no choice {wanted:?} among {titles:?}"))
        })?;
        self.citizen(from, Content::Choice(choice.clone())).await
    }

    /// Every message the bot sent `from`, oldest first.
    pub async fn inbox(&self, from: &str) -> Result<Vec<BotMessage>, SimError> {
        let received = self.get_json("/dev/whatsapp").await?;
        Ok(received
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["body"]["to"].as_str() == Some(from))
            .map(BotMessage::from_send)
            .collect())
    }

    /// Calls the officials' API as `official` (one of `/dev/officials`).
    pub async fn official(
        &self,
        official: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value), SimError> {
        let token = self.token(official).await?;
        let url = format!("{}{path}", self.api);
        let mut request = self.http.request(method, &url).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        self.exchange(request, &url).await
    }

    /// Like [`Self::official`], for calls that must succeed.
    pub async fn official_ok(
        &self,
        official: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, SimError> {
        let what = format!("{method} {path} as {official}");
        expect_ok(&what, self.official(official, method, path, body).await?)
    }

    /// An action on a case (`verify`, `start`, `resolve`, ...) at its
    /// current version; `fields` adds `note`, `reason`, ...
    pub async fn act(
        &self,
        official: &str,
        ticket: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Result<Value, SimError> {
        let case = self
            .official_ok(official, reqwest::Method::GET, &format!("/cases/{ticket}"), None)
            .await?;
        let mut body = json!({"action": action, "version": case["case"]["version"]});
        for (key, value) in fields {
            body[*key] = json!(value);
        }
        self.official_ok(
            official,
            reqwest::Method::POST,
            &format!("/cases/{ticket}/actions"),
            Some(&body),
        )
        .await
    }

    /// Runs a scheduled job (`daily-digest`, `sla-sweep`) now, or `at` an
    /// RFC 3339 time.
    pub async fn job(&self, job: &str, at: Option<&str>) -> Result<Value, SimError> {
        let mut url = format!("{}/dev/jobs", self.api);
        if let Some(at) = at {
            let query = form_urlencoded::Serializer::new(String::new())
                .append_pair("at", at)
                .finish();
            url = format!("{url}?{query}");
        }
        let request = self.http.post(&url).json(&json!({ "job": job }));
        expect_ok(&format!("the {job} job"), self.exchange(request, &url).await?)
    }

    /// What the stack's topics were sent, oldest first.
    pub async fn published(&self) -> Result<Vec<Value>, SimError> {
        let published = self.get_json("/dev/sns").await?;
        Ok(published.as_array().cloned().unwrap_or_default())
    }

    pub async fn officials(&self) -> Result<Vec<Value>, SimError> {
        Ok(self
            .get_json("/dev/officials")
            .await?
            .as_array()
            .cloned()
            .unwrap_or_default())
    }

    async fn token(&self, official: &str) -> Result<String, SimError> {
        if let Some(token) = self.tokens.lock().expect("not poisoned").get(official) {
            return Ok(token.clone());
        }
        let url = format!("{}/dev/token", self.api);
        let request = self.http.post(&url).json(&json!({ "official": official }));
        let (status, body) = self.exchange(request, &url).await?;
        let Some(token) = body["id_token"].as_str().filter(|_| status == 200) else {
            return Err(SimError::Unexpected(format!(
                "no official {official:?}: `aduan-sim officials` lists them"
            )));
        };
        self.tokens
            .lock()
            .expect("not poisoned")
            .insert(official.to_owned(), token.to_owned());
        Ok(token.to_owned())
    }

    async fn get_json(&self, path: &str) -> Result<Value, SimError> {
        let url = format!("{}{path}", self.api);
        let request = self.http.get(&url);
        expect_ok(&format!("GET {path}"), self.exchange(request, &url).await?)
    }

    /// Sends `request` to `url`; the answer's status and body (JSON, or the
    /// text as a JSON string).
    async fn exchange(&self, request: reqwest::RequestBuilder, url: &str) -> Result<(u16, Value), SimError> {
        let response = request.send().await.map_err(|source| SimError::Unreachable {
            url: url.to_owned(),
            source,
        })?;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }
}

fn expect_ok(what: &str, (status, body): (u16, Value)) -> Result<Value, SimError> {
    match status {
        200 => Ok(body),
        _ => Err(SimError::Status {
            what: what.to_owned(),
            status,
            body: body.to_string(),
        }),
    }
}

fn pick<'a>(choices: &'a [Choice], wanted: &str) -> Option<&'a Choice> {
    let lower = wanted.to_lowercase();
    choices
        .iter()
        .find(|c| c.title.to_lowercase() == lower || c.id == wanted)
        .or_else(|| {
            let position: usize = wanted.parse().ok()?;
            choices.get(position.checked_sub(1)?)
        })
        .or_else(|| {
            choices
                .iter()
                .find(|c| c.title.to_lowercase().starts_with(&lower))
        })
}

/// The first ticket number written between asterisks in the bot's messages
/// (`... nomor tiket *ADU-0042* ...`).
pub fn ticket_in(messages: &[BotMessage]) -> Option<String> {
    messages.iter().find_map(|m| {
        m.text
            .split('*')
            .skip(1)
            .step_by(2)
            .find(|bold| aduan_shared::domain::ticket::Ticket::parse(bold).is_ok())
            .map(str::to_owned)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices() -> Vec<Choice> {
        ["Garegeh", "Manggis Ganting", "Koto Selayan"]
            .iter()
            .enumerate()
            .map(|(i, t)| Choice {
                id: format!("kel:{i}"),
                title: (*t).to_owned(),
                kind: ChoiceKind::ListRow,
            })
            .collect()
    }

    #[test]
    fn picks_by_title_id_position_or_prefix() {
        let choices = choices();
        assert_eq!(pick(&choices, "garegeh").unwrap().id, "kel:0");
        assert_eq!(pick(&choices, "kel:2").unwrap().title, "Koto Selayan");
        assert_eq!(pick(&choices, "2").unwrap().title, "Manggis Ganting");
        assert_eq!(pick(&choices, "mang").unwrap().id, "kel:1");
        assert_eq!(pick(&choices, "0"), None);
        assert_eq!(pick(&choices, "Aur Kuning"), None);
    }

    #[test]
    fn finds_the_ticket_in_bold() {
        let message = |text: &str| BotMessage {
            text: text.into(),
            choices: vec![],
            template: None,
        };
        let messages = [
            message("Di kelurahan mana *lokasi* yang Anda laporkan?"),
            message(
                "Terima kasih, laporan Anda sudah kami terima dengan nomor tiket *ADU-0042* (pengaduan).",
            ),
        ];
        assert_eq!(ticket_in(&messages).as_deref(), Some("ADU-0042"));
        assert_eq!(ticket_in(&messages[..1]), None);
    }

    #[test]
    fn reads_lists_buttons_and_templates_as_the_stand_in_recorded_them() {
        let list = BotMessage::from_send(&json!({"text": "Di kelurahan mana?", "body": {
            "to": "62812", "type": "interactive",
            "interactive": {"type": "list", "body": {"text": "Di kelurahan mana?"},
                "action": {"button": "Pilih lokasi", "sections": [{"title": "MKS", "rows": [{"id": "kel:a", "title": "Garegeh"}]}]}}
        }}));
        assert_eq!(
            (list.text.as_str(), list.choices[0].title.as_str()),
            ("Di kelurahan mana?", "Garegeh")
        );
        assert_eq!(list.choices[0].kind, ChoiceKind::ListRow);
        let buttons = BotMessage::from_send(&json!({"text": "Sudah selesai?", "body": {
            "to": "62812", "type": "interactive",
            "interactive": {"type": "button", "body": {"text": "Sudah selesai?"},
                "action": {"buttons": [{"type": "reply", "reply": {"id": "confirm:yes", "title": "Ya"}}]}}
        }}));
        assert_eq!(buttons.choices[0].kind, ChoiceKind::Button);
        let template = BotMessage::from_send(&json!({"text": "ADU-0042 | selesai", "body": {
            "to": "62812", "type": "template",
            "template": {"name": "aduan_status", "components": [{"type": "body", "parameters": [{"type": "text", "text": "ADU-0042"}]}]}
        }}));
        assert_eq!(template.template.as_deref(), Some("aduan_status"));
    }
}
