//! What we send, built within WhatsApp's hard limits (a message over any of
//! them is rejected by WhatsApp): list rows ≤ 10 in total, row titles ≤ 24
//! characters, row descriptions ≤ 72, ids ≤ 200, list button ≤ 20, reply
//! buttons ≤ 3 with titles ≤ 20, interactive body ≤ 1024, text ≤ 4096.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::domain::identity::Recipient;

pub const MAX_TEXT: usize = 4096;
pub const MAX_INTERACTIVE_BODY: usize = 1024;
pub const MAX_LIST_ROWS: usize = 10;
pub const MAX_ROW_TITLE: usize = 24;
pub const MAX_ROW_DESCRIPTION: usize = 72;
pub const MAX_ROW_ID: usize = 200;
pub const MAX_LIST_BUTTON: usize = 20;
pub const MAX_BUTTONS: usize = 3;
pub const MAX_BUTTON_TITLE: usize = 20;

/// A message to a citizen or an official, without the recipient (that is
/// sealed elsewhere).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Outbound {
    Text {
        body: String,
    },
    List {
        body: String,
        button: String,
        rows: Vec<Row>,
    },
    Buttons {
        body: String,
        buttons: Vec<Button>,
    },
    /// A pre-approved template, for messages outside the 24-hour window.
    Template {
        name: String,
        language: String,
        params: Vec<String>,
        /// The payloads of the template's quick-reply buttons, in their
        /// order: what a tap sends back instead of the button's label.
        /// None: a tap sends the label (the template's own).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buttons: Vec<String>,
        /// The media id of an uploaded image, for a template registered
        /// with an image header.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        header_image: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} exceeds WhatsApp's limit of {limit}")]
pub struct OverLimit {
    pub what: &'static str,
    pub limit: usize,
}

/// Shortens to at most `max` characters (not bytes), ending with "…" when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out = out.trim_end().to_owned();
    out.push('…');
    out
}

impl Outbound {
    pub fn text(body: impl Into<String>) -> Self {
        Outbound::Text {
            body: shorten(&body.into(), MAX_TEXT),
        }
    }

    /// A one-section list. Names too long for a row title are shortened in
    /// the title and given whole in the description.
    pub fn list(body: &str, button: &str, rows: Vec<(String, String)>) -> Result<Self, OverLimit> {
        // WhatsApp refuses an empty list as it refuses a long one.
        if rows.is_empty() || rows.len() > MAX_LIST_ROWS {
            return Err(OverLimit {
                what: "list rows",
                limit: MAX_LIST_ROWS,
            });
        }
        let rows = rows
            .into_iter()
            .map(|(id, name)| {
                if id.len() > MAX_ROW_ID {
                    return Err(OverLimit {
                        what: "row id",
                        limit: MAX_ROW_ID,
                    });
                }
                let title = shorten(&name, MAX_ROW_TITLE);
                let description = (title != name).then(|| shorten(&name, MAX_ROW_DESCRIPTION));
                Ok(Row {
                    id,
                    title,
                    description,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Outbound::List {
            body: shorten(body, MAX_INTERACTIVE_BODY),
            button: shorten(button, MAX_LIST_BUTTON),
            rows,
        })
    }

    pub fn buttons(body: &str, buttons: Vec<(String, String)>) -> Result<Self, OverLimit> {
        if buttons.is_empty() || buttons.len() > MAX_BUTTONS {
            return Err(OverLimit {
                what: "reply buttons",
                limit: MAX_BUTTONS,
            });
        }
        Ok(Outbound::Buttons {
            body: shorten(body, MAX_INTERACTIVE_BODY),
            buttons: buttons
                .into_iter()
                .map(|(id, title)| Button {
                    id,
                    title: shorten(&title, MAX_BUTTON_TITLE),
                })
                .collect(),
        })
    }

    /// Checks every limit: what a test asserts of every message the code builds.
    pub fn check_limits(&self) -> Result<(), OverLimit> {
        let chars = |s: &str| s.chars().count();
        let check = |ok: bool, what, limit| {
            if ok {
                Ok(())
            } else {
                Err(OverLimit { what, limit })
            }
        };
        match self {
            Outbound::Text { body } => {
                check(!body.is_empty() && chars(body) <= MAX_TEXT, "text body", MAX_TEXT)
            }
            Outbound::List { body, button, rows } => {
                check(
                    chars(body) <= MAX_INTERACTIVE_BODY,
                    "list body",
                    MAX_INTERACTIVE_BODY,
                )?;
                check(chars(button) <= MAX_LIST_BUTTON, "list button", MAX_LIST_BUTTON)?;
                check(
                    !rows.is_empty() && rows.len() <= MAX_LIST_ROWS,
                    "list rows",
                    MAX_LIST_ROWS,
                )?;
                for row in rows {
                    check(chars(&row.title) <= MAX_ROW_TITLE, "row title", MAX_ROW_TITLE)?;
                    check(row.id.len() <= MAX_ROW_ID, "row id", MAX_ROW_ID)?;
                    let description = row.description.as_deref().unwrap_or_default();
                    check(
                        chars(description) <= MAX_ROW_DESCRIPTION,
                        "row description",
                        MAX_ROW_DESCRIPTION,
                    )?;
                }
                Ok(())
            }
            Outbound::Buttons { body, buttons } => {
                check(
                    chars(body) <= MAX_INTERACTIVE_BODY,
                    "buttons body",
                    MAX_INTERACTIVE_BODY,
                )?;
                check(
                    !buttons.is_empty() && buttons.len() <= MAX_BUTTONS,
                    "reply buttons",
                    MAX_BUTTONS,
                )?;
                for b in buttons {
                    check(
                        chars(&b.title) <= MAX_BUTTON_TITLE,
                        "button title",
                        MAX_BUTTON_TITLE,
                    )?;
                }
                Ok(())
            }
            Outbound::Template { name, buttons, .. } => {
                check(!name.is_empty(), "template name", 512)?;
                check(buttons.len() <= MAX_BUTTONS, "template buttons", MAX_BUTTONS)?;
                for payload in buttons {
                    check(
                        !payload.is_empty() && payload.len() <= MAX_ROW_ID,
                        "button payload",
                        MAX_ROW_ID,
                    )?;
                }
                Ok(())
            }
        }
    }

    /// The plain text of the message, for providers without interactive
    /// messages (Twilio's inline replies) and for the case timeline.
    /// The message with `line` after its body, within the body's limit; a
    /// template is sent as approved.
    pub fn with_footer(self, line: &str) -> Self {
        let joined = |body: &str, max| shorten(&format!("{body}\n\n{line}"), max);
        match self {
            Outbound::Text { body } => Outbound::Text {
                body: joined(&body, MAX_TEXT),
            },
            Outbound::List { body, button, rows } => Outbound::List {
                body: joined(&body, MAX_INTERACTIVE_BODY),
                button,
                rows,
            },
            Outbound::Buttons { body, buttons } => Outbound::Buttons {
                body: joined(&body, MAX_INTERACTIVE_BODY),
                buttons,
            },
            template @ Outbound::Template { .. } => template,
        }
    }

    pub fn as_plain_text(&self) -> String {
        match self {
            Outbound::Text { body } => body.clone(),
            Outbound::List { body, rows, .. } => {
                let mut text = body.clone();
                for (n, row) in rows.iter().enumerate() {
                    let name = row.description.as_deref().unwrap_or(&row.title);
                    text.push_str(&format!("\n{}. {}", n + 1, name));
                }
                text
            }
            Outbound::Buttons { body, buttons } => {
                let titles: Vec<&str> = buttons.iter().map(|b| b.title.as_str()).collect();
                format!("{body}\n({})", titles.join(" / "))
            }
            Outbound::Template {
                name,
                params,
                header_image,
                ..
            } => {
                let photo = if header_image.is_some() { " [foto]" } else { "" };
                format!("[{name}]{photo} {}", params.join(" | "))
            }
        }
    }

    /// The Cloud API request body for sending this to `to` (a wa_id).
    pub fn to_meta_json(&self, to: Recipient) -> Value {
        let mut message = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
        });
        // Meta's "Business-scoped user IDs" page: `to` takes a number,
        // `recipient` a BSUID (or a parent); `to` wins when both are given.
        match to {
            Recipient::Phone(phone) => message["to"] = json!(phone.expose()),
            Recipient::User(user) => message["recipient"] = json!(user.expose()),
        }
        match self {
            Outbound::Text { body } => {
                message["type"] = json!("text");
                message["text"] = json!({"preview_url": false, "body": body});
            }
            Outbound::List { body, button, rows } => {
                let rows: Vec<Value> = rows
                    .iter()
                    .map(|r| {
                        let mut row = json!({"id": r.id, "title": r.title});
                        if let Some(d) = &r.description {
                            row["description"] = json!(d);
                        }
                        row
                    })
                    .collect();
                message["type"] = json!("interactive");
                message["interactive"] = json!({
                    "type": "list",
                    "body": {"text": body},
                    "action": {"button": button, "sections": [{"title": shorten(button, MAX_ROW_TITLE), "rows": rows}]},
                });
            }
            Outbound::Buttons { body, buttons } => {
                let buttons: Vec<Value> = buttons
                    .iter()
                    .map(|b| json!({"type": "reply", "reply": {"id": b.id, "title": b.title}}))
                    .collect();
                message["type"] = json!("interactive");
                message["interactive"] = json!({
                    "type": "button",
                    "body": {"text": body},
                    "action": {"buttons": buttons},
                });
            }
            Outbound::Template {
                name,
                language,
                params,
                buttons,
                header_image,
            } => {
                let parameters: Vec<Value> = params
                    .iter()
                    .map(|p| json!({"type": "text", "text": p}))
                    .collect();
                // Meta's media-header template: the image by the id of
                // media we uploaded, per send.
                let mut components: Vec<Value> = header_image
                    .iter()
                    .map(|id| json!({"type": "header", "parameters": [{"type": "image", "image": {"id": id}}]}))
                    .collect();
                components.push(json!({"type": "body", "parameters": parameters}));
                // Meta's template message: a quick-reply button's payload is
                // set per send, by the button's index in the template.
                components.extend(buttons.iter().enumerate().map(|(index, payload)| {
                    json!({
                        "type": "button",
                        "sub_type": "quick_reply",
                        "index": index.to_string(),
                        "parameters": [{"type": "payload", "payload": payload}],
                    })
                }));
                message["type"] = json!("template");
                message["template"] = json!({
                    "name": name,
                    "language": {"code": language},
                    "components": components,
                });
            }
        }
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::identity::Bsuid;
    use crate::domain::reporter::SenderId;

    #[test]
    fn a_number_goes_in_to_and_a_bsuid_in_recipient() {
        let text = Outbound::text("Laporan diterima");
        let phone = SenderId::parse("6281234567890").unwrap();
        let json = text.to_meta_json(Recipient::Phone(&phone));
        assert_eq!(
            (json["to"].as_str(), json.get("recipient")),
            (Some("6281234567890"), None)
        );
        let user = Bsuid::parse("ID.1234567890123456").unwrap();
        let json = text.to_meta_json(Recipient::User(&user));
        assert_eq!(
            (json.get("to"), json["recipient"].as_str()),
            (None, Some("ID.1234567890123456"))
        );
    }

    #[test]
    fn shortens_by_characters_with_an_ellipsis() {
        assert_eq!(shorten("Garegeh", 24), "Garegeh");
        let long = "Aur Tajungkang Tengah Sawah";
        let short = shorten(long, MAX_ROW_TITLE);
        assert_eq!(short.chars().count(), 24);
        assert!(short.ends_with('…'));
        assert_eq!(shorten("ééééé", 3).chars().count(), 3);
    }

    #[test]
    fn long_names_keep_their_whole_name_in_the_description() {
        let list = Outbound::list(
            "Pilih kelurahan",
            "Pilih",
            vec![
                ("kel:1".into(), "Garegeh".into()),
                ("kel:2".into(), "Bukit Cangang Kayu Ramang".into()),
            ],
        )
        .unwrap();
        list.check_limits().unwrap();
        let Outbound::List { rows, .. } = &list else {
            panic!()
        };
        assert_eq!(rows[0].description, None);
        assert_eq!(rows[1].description.as_deref(), Some("Bukit Cangang Kayu Ramang"));
        let phone = SenderId::parse("628111").unwrap();
        let json = list.to_meta_json(Recipient::Phone(&phone));
        assert_eq!(
            json["interactive"]["action"]["sections"][0]["rows"][1]["title"],
            rows[1].title.as_str()
        );
        assert!(list.as_plain_text().contains("2. Bukit Cangang Kayu Ramang"));
    }

    #[test]
    fn a_templates_header_image_goes_first_by_the_uploads_id() {
        let template = Outbound::Template {
            name: "aduan_confirm_solved_photo".into(),
            language: "id".into(),
            params: vec!["ADU-0042".into(), "Lampu sudah diganti.".into()],
            buttons: Vec::new(),
            header_image: Some("up-7".into()),
        };
        let phone = SenderId::parse("628111").unwrap();
        let json = template.to_meta_json(Recipient::Phone(&phone));
        let components = json["template"]["components"].as_array().unwrap();
        assert_eq!(
            components[0],
            json!({"type": "header", "parameters": [{"type": "image", "image": {"id": "up-7"}}]})
        );
        assert_eq!(components[1]["type"], "body");
        assert!(template.as_plain_text().contains("[foto]"));
    }

    #[test]
    fn a_templates_button_payloads_go_by_index() {
        let template = Outbound::Template {
            name: "aduan_official_notice".into(),
            language: "id".into(),
            params: vec!["ADU-0042".into()],
            buttons: vec!["off:verify:ADU-0042".into(), "off:info:ADU-0042".into()],
            header_image: None,
        };
        template.check_limits().unwrap();
        let phone = SenderId::parse("628111").unwrap();
        let json = template.to_meta_json(Recipient::Phone(&phone));
        let components = json["template"]["components"].as_array().unwrap();
        assert_eq!(components.len(), 3);
        assert_eq!(components[0]["parameters"][0]["text"], "ADU-0042");
        assert_eq!(
            components[2],
            json!({
                "type": "button",
                "sub_type": "quick_reply",
                "index": "1",
                "parameters": [{"type": "payload", "payload": "off:info:ADU-0042"}],
            })
        );
        // A template stored before buttons existed still reads.
        let old: Outbound = serde_json::from_value(json!({
            "type": "template", "name": "aduan_verified", "language": "id", "params": ["ADU-0042"]
        }))
        .unwrap();
        assert!(matches!(old, Outbound::Template { buttons, .. } if buttons.is_empty()));
    }

    #[test]
    fn refuses_what_whatsapp_would_reject() {
        let rows = (0..11).map(|i| (format!("r{i}"), format!("Row {i}"))).collect();
        assert!(Outbound::list("b", "Pilih", rows).is_err());
        let buttons = (0..4).map(|i| (format!("b{i}"), "x".to_owned())).collect();
        assert!(Outbound::buttons("b", buttons).is_err());
        let bad = Outbound::Buttons {
            body: "b".into(),
            buttons: vec![Button {
                id: "x".into(),
                title: "a title that is far too long".into(),
            }],
        };
        assert!(bad.check_limits().is_err());
        assert!(Outbound::Text { body: String::new() }.check_limits().is_err());
    }
}
