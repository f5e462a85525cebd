//! Meta WhatsApp Cloud API webhooks: the envelope, its messages and statuses.
//! Parsing is lenient about what it does not need (unknown fields and message
//! types never fail) and strict about what it keeps (every field is checked
//! before it can reach the store; a bad message is skipped, not fatal).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::{
    bounded, limits, ChangeKind, DeliveryStatus, IdentityChange, Inbound, InboundBody, Skipped, StatusUpdate,
};
use crate::domain::case::Provider;
use crate::domain::identity::{Bsuid, Sender};
use crate::domain::reporter::{ReporterError, SenderId};
use crate::domain::timeline::{MediaType, MessageContent};

/// What one POST delivered.
#[derive(Debug, Default)]
pub struct Delivery {
    pub messages: Vec<Inbound>,
    pub identity_changes: Vec<IdentityChange>,
    pub statuses: Vec<StatusUpdate>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, thiserror::Error)]
#[error("the body is not a WhatsApp webhook envelope: {0}")]
pub struct MalformedEnvelope(String);

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: Value,
}

/// Parses a verified body. Only a body that is not JSON, or not shaped like
/// an envelope at all, is an error (400); anything inside is item by item.
pub fn parse(body: &[u8]) -> Result<Delivery, MalformedEnvelope> {
    // serde_json's error says where, never what: safe to log.
    let envelope: Envelope = serde_json::from_slice(body).map_err(|e| {
        MalformedEnvelope(format!(
            "line {} column {} ({:?})",
            e.line(),
            e.column(),
            e.classify()
        ))
    })?;
    let mut delivery = Delivery::default();
    for change in envelope.entry.iter().flat_map(|e| &e.changes) {
        if change.field != "messages" {
            continue;
        }
        let number_id = change
            .value
            .pointer("/metadata/phone_number_id")
            .and_then(Value::as_str)
            .filter(|id| bounded(id, limits::ID));
        // The sender's ids may sit on the message or on its contact; a
        // value names one sender, so a lone contact is theirs.
        let mut contacts = array(&change.value, "contacts");
        let contact = match (contacts.next(), contacts.next()) {
            (Some(contact), None) => Some(contact),
            _ => None,
        };
        for message in array(&change.value, "messages") {
            match number_id {
                Some(number_id) => match parse_item(message, contact, number_id) {
                    Ok(Item::Message(inbound)) => delivery.messages.push(inbound),
                    Ok(Item::IdentityChange(change)) => delivery.identity_changes.push(change),
                    Err(skipped) => delivery.skipped.push(skipped),
                },
                None => delivery
                    .skipped
                    .push(skip("message", "metadata.phone_number_id", "is missing")),
            }
        }
        for status in array(&change.value, "statuses") {
            match parse_status(status) {
                Ok(update) => delivery.statuses.push(update),
                Err(skipped) => delivery.skipped.push(skipped),
            }
        }
    }
    Ok(delivery)
}

fn array<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    value.get(key).and_then(Value::as_array).into_iter().flatten()
}

fn skip(item: &'static str, field: &'static str, problem: &'static str) -> Skipped {
    Skipped { item, field, problem }
}

fn str_field<'a>(
    v: &'a Value,
    item: &'static str,
    field: &'static str,
    max: usize,
) -> Result<&'a str, Skipped> {
    let value = v.get(field).ok_or(skip(item, field, "is missing"))?;
    let s = value.as_str().ok_or(skip(item, field, "is not a string"))?;
    if bounded(s, max) {
        Ok(s)
    } else {
        Err(skip(item, field, "is empty or too long"))
    }
}

fn opt_str(v: &Value, key: &str, max: usize) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| bounded(s, max))
        .map(str::to_owned)
}

fn timestamp(v: &Value, item: &'static str) -> Result<DateTime<Utc>, Skipped> {
    let raw = str_field(v, item, "timestamp", 20)?;
    let secs: i64 = raw
        .parse()
        .map_err(|_| skip(item, "timestamp", "is not a number"))?;
    // Anything before 2009 (WhatsApp's birth) or absurdly far ahead is bogus.
    if !(1_230_768_000..=32_503_680_000).contains(&secs) {
        return Err(skip(item, "timestamp", "is out of range"));
    }
    DateTime::from_timestamp(secs, 0).ok_or(skip(item, "timestamp", "is out of range"))
}

/// An id field: absent is none; present, it must parse, or the item is skipped.
fn id_field<T>(
    v: &Value,
    item: &'static str,
    field: &'static str,
    parse: fn(&str) -> Result<T, ReporterError>,
) -> Result<Option<T>, Skipped> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => parse(s)
            .map(Some)
            .map_err(|_| skip(item, field, "is not a WhatsApp id")),
        Some(_) => Err(skip(item, field, "is not a string")),
    }
}

fn own_or_contact<T>(
    v: &Value,
    contact: Option<&Value>,
    item: &'static str,
    field: &'static str,
    contact_field: &'static str,
    parse: fn(&str) -> Result<T, ReporterError>,
) -> Result<Option<T>, Skipped> {
    match (id_field(v, item, field, parse)?, contact) {
        (Some(id), _) => Ok(Some(id)),
        (None, Some(contact)) => id_field(contact, "contact", contact_field, parse),
        (None, None) => Ok(None),
    }
}

/// The sender's ids, from `fields` (phone, BSUID, parent BSUID) of `v`,
/// each missing one taken from `contact`'s `wa_id`, `user_id`,
/// `parent_user_id`.
fn sender(
    v: &Value,
    contact: Option<&Value>,
    item: &'static str,
    [phone_field, user_field, parent_field]: [&'static str; 3],
) -> Result<Sender, Skipped> {
    let phone = own_or_contact(v, contact, item, phone_field, "wa_id", SenderId::parse)?;
    let user_id = own_or_contact(v, contact, item, user_field, "user_id", Bsuid::parse)?;
    let parent_user_id = own_or_contact(v, contact, item, parent_field, "parent_user_id", Bsuid::parse)?;
    Sender::new(phone, user_id, parent_user_id).map_err(|e| match e {
        ReporterError::NoSender => skip(item, phone_field, "is missing, and so is the user id"),
        _ => skip(item, user_field, "does not fit the sender's other ids"),
    })
}

/// What one entry of `messages` is.
enum Item {
    Message(Inbound),
    IdentityChange(IdentityChange),
}

const SENDER_FIELDS: [&str; 3] = ["from", "from_user_id", "from_parent_user_id"];

fn parse_item(m: &Value, contact: Option<&Value>, number_id: &str) -> Result<Item, Skipped> {
    if m.get("type").and_then(Value::as_str) == Some("system") {
        return parse_system(m, number_id).map(Item::IdentityChange);
    }
    parse_message(m, contact, number_id).map(Item::Message)
}

/// Meta's "System messages webhook reference": `from` (and `from_user_id`)
/// name the user as they were; `system.type` says what changed, and
/// `system.wa_id`, `system.user_id` (and `system.parent_user_id`) are the
/// new ids. Since August 2026 (Meta's changelog) both types also carry the
/// old BSUIDs in `system.previous_user_id` and
/// `system.previous_parent_user_id`: where present they name the old ids.
/// System messages carry no `contacts`.
fn parse_system(m: &Value, number_id: &str) -> Result<IdentityChange, Skipped> {
    const ITEM: &str = "system message";
    let message_id = str_field(m, ITEM, "id", limits::ID)?;
    let at = timestamp(m, ITEM)?;
    let system = m.get("system").ok_or(skip(ITEM, "system", "is missing"))?;
    let kind = match str_field(system, ITEM, "type", 64)? {
        "user_changed_number" => ChangeKind::Number,
        "user_changed_user_id" => ChangeKind::UserId,
        _ => return Err(skip(ITEM, "system.type", "is not a change of number or user id")),
    };
    let previous_user = id_field(system, "system", "previous_user_id", Bsuid::parse)?;
    let previous_parent = id_field(system, "system", "previous_parent_user_id", Bsuid::parse)?;
    let old = if previous_user.is_some() || previous_parent.is_some() {
        let from = own_or_contact(m, None, ITEM, "from", "wa_id", SenderId::parse)?;
        let user = previous_user.or(id_field(m, ITEM, "from_user_id", Bsuid::parse)?);
        let parent = previous_parent.or(id_field(m, ITEM, "from_parent_user_id", Bsuid::parse)?);
        Sender::new(from, user, parent).map_err(|_| {
            skip(
                "system",
                "previous_user_id",
                "does not fit the sender's other ids",
            )
        })?
    } else {
        sender(m, None, ITEM, SENDER_FIELDS)?
    };
    let new = sender(system, None, "system", ["wa_id", "user_id", "parent_user_id"])?;
    if kind == ChangeKind::Number && new.phone().is_none() {
        return Err(skip(ITEM, "system.wa_id", "is missing from a change of number"));
    }
    Ok(IdentityChange {
        message_id: message_id.to_owned(),
        number_id: number_id.to_owned(),
        at,
        kind,
        old,
        new,
    })
}

fn parse_message(m: &Value, contact: Option<&Value>, number_id: &str) -> Result<Inbound, Skipped> {
    const ITEM: &str = "message";
    let message_id = str_field(m, ITEM, "id", limits::ID)?;
    let from = sender(m, contact, ITEM, SENDER_FIELDS)?;
    let sent_at = timestamp(m, ITEM)?;
    let kind = str_field(m, ITEM, "type", 64)?;
    let body = match kind {
        "text" => {
            let text = m.get("text").ok_or(skip(ITEM, "text", "is missing"))?;
            InboundBody::Content(MessageContent::Text {
                body: str_field(text, ITEM, "body", limits::TEXT)?.to_owned(),
            })
        }
        "image" | "video" | "audio" | "document" | "sticker" => {
            let media_type = match kind {
                "image" => MediaType::Image,
                "video" => MediaType::Video,
                "audio" => MediaType::Audio,
                "document" => MediaType::Document,
                _ => MediaType::Sticker,
            };
            let media = m.get(kind).ok_or(skip(ITEM, "media", "is missing"))?;
            InboundBody::Content(MessageContent::Media {
                media_type,
                media_id: str_field(media, ITEM, "id", limits::ID)?.to_owned(),
                mime_type: opt_str(media, "mime_type", 255),
                caption: opt_str(media, "caption", limits::SHORT * 4),
                url: None,
            })
        }
        "location" => {
            let loc = m.get("location").ok_or(skip(ITEM, "location", "is missing"))?;
            let coordinate = |key: &'static str, limit: f64| {
                loc.get(key)
                    .and_then(Value::as_f64)
                    .filter(|x| x.is_finite() && x.abs() <= limit)
                    .ok_or(skip(ITEM, key, "is not a valid coordinate"))
            };
            InboundBody::Content(MessageContent::Location {
                latitude: coordinate("latitude", 90.0)?,
                longitude: coordinate("longitude", 180.0)?,
                name: opt_str(loc, "name", limits::SHORT),
                address: opt_str(loc, "address", limits::SHORT),
            })
        }
        "interactive" => {
            let interactive = m
                .get("interactive")
                .ok_or(skip(ITEM, "interactive", "is missing"))?;
            let reply = interactive
                .get("list_reply")
                .or_else(|| interactive.get("button_reply"))
                .ok_or(skip(ITEM, "interactive", "has no reply"))?;
            InboundBody::Choice {
                id: str_field(reply, ITEM, "id", limits::ID)?.to_owned(),
                title: opt_str(reply, "title", limits::SHORT).unwrap_or_default(),
            }
        }
        "button" => {
            let button = m.get("button").ok_or(skip(ITEM, "button", "is missing"))?;
            InboundBody::Choice {
                id: str_field(button, ITEM, "payload", limits::ID)?.to_owned(),
                title: opt_str(button, "text", limits::SHORT).unwrap_or_default(),
            }
        }
        other => InboundBody::Content(MessageContent::Unsupported {
            message_type: other.chars().take(64).collect(),
        }),
    };
    Ok(Inbound {
        provider: Provider::Meta,
        message_id: message_id.to_owned(),
        from,
        number_id: number_id.to_owned(),
        sent_at,
        body,
        replied_to: m.get("context").and_then(|c| opt_str(c, "id", limits::ID)),
    })
}

fn parse_status(s: &Value) -> Result<StatusUpdate, Skipped> {
    const ITEM: &str = "status";
    let message_id = str_field(s, ITEM, "id", limits::ID)?;
    let status = str_field(s, ITEM, "status", 32)?;
    let status = DeliveryStatus::parse(status)
        .filter(|s| !matches!(s, DeliveryStatus::Pending | DeliveryStatus::Withheld))
        .ok_or(skip(ITEM, "status", "is not a known status"))?;
    let at = timestamp(s, ITEM)?;
    let error = s
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|errors| errors.first())
        .map(|e| {
            let code = e.get("code").and_then(Value::as_i64).unwrap_or_default();
            let title = opt_str(e, "title", 256).unwrap_or_default();
            (code, title)
        });
    Ok(StatusUpdate {
        provider: Provider::Meta,
        message_id: message_id.to_owned(),
        status,
        at,
        error,
    })
}

/// Builders for webhook bodies as Meta sends them: tests and the simulator
/// use them so what they send is what Meta sends.
pub mod fixtures {
    use serde_json::{json, Value};

    pub fn envelope(phone_number_id: &str, value_items: Value) -> Value {
        let mut value = json!({
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "6281100000000", "phone_number_id": phone_number_id},
        });
        for (k, v) in value_items.as_object().expect("an object").clone() {
            value[k] = v;
        }
        json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]
        })
    }

    /// Who a message is from, as the webhook names them: any of the phone
    /// number, the BSUID and the parent BSUID.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct Who<'a> {
        pub phone: Option<&'a str>,
        pub user_id: Option<&'a str>,
        pub parent_user_id: Option<&'a str>,
    }

    impl<'a> Who<'a> {
        pub fn phone(phone: &'a str) -> Self {
            Self {
                phone: Some(phone),
                ..Self::default()
            }
        }
    }

    pub fn text(phone_number_id: &str, from: &str, id: &str, timestamp: i64, body: &str) -> Value {
        message_by(
            phone_number_id,
            Who::phone(from),
            id,
            timestamp,
            "text",
            json!({"body": body}),
        )
    }

    pub fn text_by(phone_number_id: &str, who: Who, id: &str, timestamp: i64, body: &str) -> Value {
        message_by(phone_number_id, who, id, timestamp, "text", json!({"body": body}))
    }

    pub fn message(
        phone_number_id: &str,
        from: &str,
        id: &str,
        timestamp: i64,
        kind: &str,
        payload: Value,
    ) -> Value {
        message_by(phone_number_id, Who::phone(from), id, timestamp, kind, payload)
    }

    /// The shape of Meta's "Business-scoped user IDs" page: the contact has
    /// `user_id` (and `parent_user_id` where enabled) beside a `wa_id` that
    /// is left out when the number is withheld; the message has `from`,
    /// `from_user_id` and `from_parent_user_id` by the same rule.
    pub fn message_by(
        phone_number_id: &str,
        who: Who,
        id: &str,
        timestamp: i64,
        kind: &str,
        payload: Value,
    ) -> Value {
        let mut contact = json!({"profile": {"name": "Warga"}});
        let mut message = json!({"id": id, "timestamp": timestamp.to_string(), "type": kind});
        message[kind] = payload;
        let fields = [
            (who.phone, "wa_id", "from"),
            (who.user_id, "user_id", "from_user_id"),
            (who.parent_user_id, "parent_user_id", "from_parent_user_id"),
        ];
        for (value, on_contact, on_message) in fields {
            if let Some(value) = value {
                contact[on_contact] = json!(value);
                message[on_message] = json!(value);
            }
        }
        envelope(
            phone_number_id,
            json!({"contacts": [contact], "messages": [message]}),
        )
    }

    /// A status of a message sent to a BSUID, as Meta's "Business-scoped
    /// user IDs" page shows it: `recipient_user_id` and no `recipient_id`;
    /// sent, delivered and read carry `contacts` with the `user_id`, failed
    /// ones none.
    pub fn status_to_user(
        phone_number_id: &str,
        wamid: &str,
        status: &str,
        timestamp: i64,
        user_id: &str,
    ) -> Value {
        let mut value = json!({"statuses": [{"id": wamid, "status": status, "timestamp": timestamp.to_string(), "recipient_user_id": user_id}]});
        if status != "failed" {
            value["contacts"] = json!([{"user_id": user_id}]);
        }
        envelope(phone_number_id, value)
    }

    fn set_present(target: &mut Value, fields: [(Option<&str>, &str); 3]) {
        for (value, field) in fields {
            if let Some(value) = value {
                target[field] = json!(value);
            }
        }
    }

    /// Meta's "System messages webhook reference": `user_changed_number`
    /// (with the new `wa_id`) or `user_changed_user_id` (the new BSUID
    /// only); the message's sender fields are the old ids, the old BSUIDs
    /// also in `system.previous_user_id` and `previous_parent_user_id`
    /// (Meta's changelog, August 2026); no `contacts`.
    pub fn identity_changed(phone_number_id: &str, id: &str, timestamp: i64, old: Who, new: Who) -> Value {
        let kind = if new.phone.is_some() {
            "user_changed_number"
        } else {
            "user_changed_user_id"
        };
        let mut system = json!({"body": "User Warga changed", "type": kind});
        let mut message = json!({"id": id, "timestamp": timestamp.to_string(), "type": "system"});
        set_present(
            &mut system,
            [
                (new.phone, "wa_id"),
                (new.user_id, "user_id"),
                (new.parent_user_id, "parent_user_id"),
            ],
        );
        // Since August 2026 the old BSUIDs are in `system` too.
        for (value, field) in [
            (old.user_id, "previous_user_id"),
            (old.parent_user_id, "previous_parent_user_id"),
        ] {
            if let Some(value) = value {
                system[field] = json!(value);
            }
        }
        set_present(
            &mut message,
            [
                (old.phone, "from"),
                (old.user_id, "from_user_id"),
                (old.parent_user_id, "from_parent_user_id"),
            ],
        );
        message["system"] = system;
        envelope(phone_number_id, json!({"messages": [message]}))
    }

    pub fn status(
        phone_number_id: &str,
        wamid: &str,
        status: &str,
        timestamp: i64,
        recipient: &str,
    ) -> Value {
        envelope(
            phone_number_id,
            json!({"statuses": [{"id": wamid, "status": status, "timestamp": timestamp.to_string(), "recipient_id": recipient}]}),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use serde_json::json;

    fn bytes(v: Value) -> Vec<u8> {
        serde_json::to_vec(&v).unwrap()
    }

    #[test]
    fn parses_a_text_message() {
        let d = parse(&bytes(text(
            "PNID",
            "6281234567890",
            "wamid.A",
            1_764_000_000,
            "Jalan rusak",
        )))
        .unwrap();
        assert_eq!(d.messages.len(), 1);
        let m = &d.messages[0];
        assert_eq!((m.message_id.as_str(), m.number_id.as_str()), ("wamid.A", "PNID"));
        assert_eq!(m.from.phone().unwrap().expose(), "6281234567890");
        assert!(m.from.user_id().is_none());
        assert_eq!(
            m.body,
            InboundBody::Content(MessageContent::Text {
                body: "Jalan rusak".into()
            })
        );
    }

    /// A reply quotes the business's message as `context` (its `from` and
    /// `id`); a forwarded message has a `context` with no id.
    #[test]
    fn a_reply_names_the_message_it_replies_to() {
        let mut reply = text("PNID", "6281234567890", "wamid.R", 1_764_000_000, "sdh pak");
        reply["entry"][0]["changes"][0]["value"]["messages"][0]["context"] =
            serde_json::json!({"from": "6281100001111", "id": "wamid.NOTICE1"});
        let d = parse(&bytes(reply)).unwrap();
        assert_eq!(d.messages[0].replied_to.as_deref(), Some("wamid.NOTICE1"));
        let mut forwarded = text("PNID", "6281234567890", "wamid.F", 1_764_000_000, "lihat ini");
        forwarded["entry"][0]["changes"][0]["value"]["messages"][0]["context"] =
            serde_json::json!({"forwarded": true});
        assert_eq!(parse(&bytes(forwarded)).unwrap().messages[0].replied_to, None);
    }

    #[test]
    fn parses_media_location_choices_and_unknown_types() {
        let image = message(
            "P",
            "628111",
            "w1",
            1_764_000_000,
            "image",
            json!({"id": "MEDIA1", "mime_type": "image/jpeg", "sha256": "x", "caption": "lubang"}),
        );
        let loc = message(
            "P",
            "628111",
            "w2",
            1_764_000_000,
            "location",
            json!({"latitude": -0.305, "longitude": 100.369, "name": "Pasar"}),
        );
        let list = message(
            "P",
            "628111",
            "w3",
            1_764_000_000,
            "interactive",
            json!({"type": "list_reply", "list_reply": {"id": "kel:x", "title": "Garegeh"}}),
        );
        let button = message(
            "P",
            "628111",
            "w4",
            1_764_000_000,
            "button",
            json!({"payload": "solved:yes", "text": "Ya"}),
        );
        let odd = message("P", "628111", "w5", 1_764_000_000, "hologram", json!({"x": 1}));
        let bodies: Vec<InboundBody> = [image, loc, list, button, odd]
            .into_iter()
            .map(|v| parse(&bytes(v)).unwrap().messages.remove(0).body)
            .collect();
        assert!(
            matches!(&bodies[0], InboundBody::Content(MessageContent::Media { media_type: MediaType::Image, media_id, caption: Some(c), .. }) if media_id == "MEDIA1" && c == "lubang")
        );
        assert!(
            matches!(&bodies[1], InboundBody::Content(MessageContent::Location { latitude, .. }) if (*latitude + 0.305).abs() < 1e-9)
        );
        assert_eq!(
            bodies[2],
            InboundBody::Choice {
                id: "kel:x".into(),
                title: "Garegeh".into()
            }
        );
        assert_eq!(
            bodies[3],
            InboundBody::Choice {
                id: "solved:yes".into(),
                title: "Ya".into()
            }
        );
        assert_eq!(
            bodies[4],
            InboundBody::Content(MessageContent::Unsupported {
                message_type: "hologram".into()
            })
        );
    }

    #[test]
    fn a_bad_message_is_skipped_without_failing_the_others() {
        let mut v = text("P", "628111", "good", 1_764_000_000, "halo");
        let messages = v["entry"][0]["changes"][0]["value"]["messages"]
            .as_array_mut()
            .unwrap();
        messages.push(json!({"from": "628111", "id": "x".repeat(300), "timestamp": "1764000000", "type": "text", "text": {"body": "a"}}));
        messages.push(json!({"from": 628111, "id": "w", "timestamp": "1764000000", "type": "text", "text": {"body": "a"}}));
        messages.push(
            json!({"from": "628111", "id": "w2", "timestamp": "99", "type": "text", "text": {"body": "a"}}),
        );
        messages.push(json!({"from": "628111", "id": "w3", "timestamp": "1764000000", "type": "location", "location": {"latitude": 91.0, "longitude": 0}}));
        messages.push(json!({"from": "628111", "id": "w4", "timestamp": "1764000000", "type": "text"}));
        messages.push(json!("not even an object"));
        let d = parse(&bytes(v)).unwrap();
        assert_eq!(d.messages.len(), 1);
        assert_eq!(d.messages[0].message_id, "good");
        assert_eq!(d.skipped.len(), 6);
        // Skips name fields, never values.
        assert!(d.skipped.iter().all(|s| !s.to_string().contains("628111")));
    }

    #[test]
    fn parses_statuses_with_errors_and_ignores_other_fields() {
        let mut v = status("P", "wamid.OUT", "failed", 1_764_000_000, "628111");
        v["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"] =
            json!([{"code": 131047, "title": "Re-engagement message"}]);
        v["entry"][0]["changes"]
            .as_array_mut()
            .unwrap()
            .push(json!({"field": "account_update", "value": {"x": 1}}));
        v["unknown"] = json!({"future": true});
        let d = parse(&bytes(v)).unwrap();
        assert_eq!(d.statuses.len(), 1);
        assert_eq!(d.statuses[0].status, DeliveryStatus::Failed);
        assert_eq!(
            d.statuses[0].error,
            Some((131047, "Re-engagement message".into()))
        );
        assert!(d.messages.is_empty() && d.skipped.is_empty());
    }

    const USER: &str = "ID.1234567890123456";
    const PARENT: &str = "ID.ENT.11815799212886844830";

    fn one_message(v: Value) -> Result<Inbound, Skipped> {
        let mut d = parse(&bytes(v)).unwrap();
        match (d.messages.pop(), d.skipped.pop()) {
            (Some(m), None) => Ok(m),
            (None, Some(s)) => Err(s),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_the_phone_the_bsuid_and_the_parent() {
        let who = Who {
            phone: Some("6281234567890"),
            user_id: Some(USER),
            parent_user_id: Some(PARENT),
        };
        let m = one_message(text_by("P", who, "w", 1_764_000_000, "halo")).unwrap();
        assert_eq!(m.from.phone().unwrap().expose(), "6281234567890");
        assert_eq!(m.from.user_id().unwrap().expose(), USER);
        assert_eq!(m.from.parent_user_id().unwrap().expose(), PARENT);
    }

    #[test]
    fn a_withheld_number_leaves_the_bsuid() {
        let who = Who {
            user_id: Some(USER),
            ..Who::default()
        };
        let m = one_message(text_by("P", who, "w", 1_764_000_000, "halo")).unwrap();
        assert!(m.from.phone().is_none());
        assert_eq!(m.from.user_id().unwrap().expose(), USER);
        // The ids on the contact alone are enough: a value names one sender.
        let mut v = text_by("P", who, "w", 1_764_000_000, "halo");
        let message = &mut v["entry"][0]["changes"][0]["value"]["messages"][0];
        message.as_object_mut().unwrap().remove("from_user_id");
        let m = one_message(v).unwrap();
        assert_eq!(m.from.user_id().unwrap().expose(), USER);
    }

    #[test]
    fn a_message_with_neither_id_or_a_bad_one_is_skipped() {
        let mut v = text_by("P", Who::default(), "w", 1_764_000_000, "halo");
        assert_eq!(
            one_message(v.clone()).unwrap_err(),
            skip("message", "from", "is missing, and so is the user id")
        );
        v["entry"][0]["changes"][0]["value"]["messages"][0]["from_user_id"] = json!("id.lowercase");
        assert_eq!(
            one_message(v.clone()).unwrap_err(),
            skip("message", "from_user_id", "is not a WhatsApp id")
        );
        v["entry"][0]["changes"][0]["value"]["messages"][0]["from_user_id"] = json!(PARENT);
        let skipped = one_message(v).unwrap_err();
        assert_eq!(skipped.field, "from_user_id");
        assert!(!skipped.to_string().contains("ID."), "{skipped}");
    }

    #[test]
    fn statuses_of_messages_sent_to_a_bsuid_parse() {
        for status in ["sent", "delivered", "read", "failed"] {
            let v = status_to_user("P", "wamid.OUT", status, 1_764_000_000, USER);
            let d = parse(&bytes(v)).unwrap();
            assert_eq!(d.statuses.len(), 1, "{status}");
            assert!(d.skipped.is_empty() && d.messages.is_empty(), "{status}");
        }
    }

    #[test]
    fn parses_changes_of_number_and_of_user_id() {
        let old = Who {
            phone: Some("628111"),
            user_id: Some(USER),
            ..Who::default()
        };
        let new = Who {
            phone: Some("628222"),
            user_id: Some("ID.99"),
            ..Who::default()
        };
        let d = parse(&bytes(identity_changed("P", "wamid.S", 1_764_000_000, old, new))).unwrap();
        assert!(d.messages.is_empty() && d.skipped.is_empty());
        let change = &d.identity_changes[0];
        assert_eq!(change.kind, ChangeKind::Number);
        assert_eq!(
            (change.message_id.as_str(), change.number_id.as_str()),
            ("wamid.S", "P")
        );
        assert_eq!(change.old.phone().unwrap().expose(), "628111");
        assert_eq!(change.old.user_id().unwrap().expose(), USER);
        assert_eq!(change.new.phone().unwrap().expose(), "628222");
        assert_eq!(change.new.user_id().unwrap().expose(), "ID.99");

        let new = Who {
            user_id: Some("ID.99"),
            ..Who::default()
        };
        let d = parse(&bytes(identity_changed("P", "wamid.T", 1_764_000_000, old, new))).unwrap();
        let change = &d.identity_changes[0];
        assert_eq!(change.kind, ChangeKind::UserId);
        assert!(change.new.phone().is_none());

        // The shape of Meta's changelog of August 2026: the old BSUID in
        // `system.previous_user_id`, the message naming the user by number only.
        let mut v = identity_changed("P", "wamid.V", 1_764_000_000, old, new);
        let message = &mut v["entry"][0]["changes"][0]["value"]["messages"][0];
        message.as_object_mut().unwrap().remove("from_user_id");
        message["system"]["previous_user_id"] = json!(USER);
        let d = parse(&bytes(v)).unwrap();
        let change = &d.identity_changes[0];
        assert_eq!(change.old.user_id().unwrap().expose(), USER);
        assert_eq!(change.old.phone().unwrap().expose(), "628111");
        assert_eq!(change.new.user_id().unwrap().expose(), "ID.99");

        // Another system message, or a change of number without the number: skipped.
        let mut v = identity_changed("P", "wamid.U", 1_764_000_000, old, new);
        v["entry"][0]["changes"][0]["value"]["messages"][0]["system"]["type"] = json!("user_changed_number");
        assert_eq!(parse(&bytes(v.clone())).unwrap().skipped[0].field, "system.wa_id");
        v["entry"][0]["changes"][0]["value"]["messages"][0]["system"]["type"] =
            json!("customer_identity_changed");
        assert_eq!(parse(&bytes(v)).unwrap().skipped[0].field, "system.type");
    }

    #[test]
    fn malformed_json_is_an_error_that_does_not_echo_the_body() {
        let err = parse(b"{\"entry\": [ 6281234567890").unwrap_err();
        assert!(!err.to_string().contains("6281234567890"), "{err}");
        assert!(parse(b"42").is_err());
        assert!(parse(b"{}").unwrap().messages.is_empty());
    }
}
