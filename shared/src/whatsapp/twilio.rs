//! Twilio's WhatsApp webhooks: a form-encoded POST. Twilio adds parameters
//! without notice, so only the ones we use are read.

use chrono::{DateTime, Utc};

use super::{bounded, limits, Inbound, InboundBody, Skipped};
use crate::domain::case::Provider;
use crate::domain::identity::Sender;
use crate::domain::reporter::SenderId;
use crate::domain::timeline::{MediaType, MessageContent};

/// The decoded form, in order, as the signature needs it.
pub fn form_params(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn skip(field: &'static str, problem: &'static str) -> Skipped {
    Skipped {
        item: "twilio message",
        field,
        problem,
    }
}

/// A WhatsApp address as Twilio writes it, `whatsapp:+<number>`. The same
/// webhook can be given SMS (`From=+62…`) and other channels
/// (`messenger:…`): those are refused whole, as an SMS sender is forged at
/// will and its bare number would otherwise pass for the WhatsApp user's.
fn whatsapp_address<'a>(params: &'a [(String, String)], field: &'static str) -> Result<&'a str, Skipped> {
    param(params, field)
        .filter(|a| a.starts_with("whatsapp:"))
        .ok_or(skip(field, "is not a WhatsApp address"))
}

/// One Twilio delivery is one message. Twilio sends no timestamp: the time it
/// arrived stands in. A message with several media becomes several inbound
/// items (one per medium, ids `<MessageSid>/<n>`), the text going with the first.
pub fn parse(params: &[(String, String)], received_at: DateTime<Utc>) -> Result<Vec<Inbound>, Skipped> {
    let sid = param(params, "MessageSid")
        .or_else(|| param(params, "SmsMessageSid"))
        .filter(|s| bounded(s, limits::ID))
        .ok_or(skip("MessageSid", "is missing or too long"))?;
    let from = whatsapp_address(params, "From")?;
    let from = SenderId::parse(from)
        .map(Sender::phone_number)
        .map_err(|_| skip("From", "is not a WhatsApp address"))?;
    let number_id = whatsapp_address(params, "To")?;
    if !bounded(number_id, limits::ID) {
        return Err(skip("To", "is too long"));
    }
    let body = param(params, "Body").filter(|b| !b.trim().is_empty());
    if body.is_some_and(|b| b.len() > limits::TEXT) {
        return Err(skip("Body", "is too long"));
    }
    let inbound = |message_id: String, body: InboundBody| Inbound {
        provider: Provider::Twilio,
        message_id,
        from: from.clone(),
        number_id: number_id.to_owned(),
        sent_at: received_at,
        body,
        // The message a reply quotes (an official's reply to a notice).
        replied_to: param(params, "OriginalRepliedMessageSid")
            .filter(|sid| bounded(sid, limits::ID))
            .map(str::to_owned),
    };

    if let Some(payload) = param(params, "ButtonPayload").filter(|p| bounded(p, limits::ID)) {
        let title = body.unwrap_or_default().to_owned();
        return Ok(vec![inbound(
            sid.to_owned(),
            InboundBody::Choice {
                id: payload.to_owned(),
                title,
            },
        )]);
    }
    if let (Some(lat), Some(lon)) = (param(params, "Latitude"), param(params, "Longitude")) {
        let coordinate = |raw: &str, limit: f64, field| {
            raw.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && x.abs() <= limit)
                .ok_or(skip(field, "is not a valid coordinate"))
        };
        let content = MessageContent::Location {
            latitude: coordinate(lat, 90.0, "Latitude")?,
            longitude: coordinate(lon, 180.0, "Longitude")?,
            name: None,
            address: param(params, "Address")
                .filter(|a| bounded(a, limits::SHORT))
                .map(str::to_owned),
        };
        return Ok(vec![inbound(sid.to_owned(), InboundBody::Content(content))]);
    }
    let media_count: usize = param(params, "NumMedia")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
        .min(10);
    let mut out = Vec::new();
    for n in 0..media_count {
        let Some(url) = param(params, &format!("MediaUrl{n}")).filter(|u| bounded(u, limits::SHORT)) else {
            continue;
        };
        let mime = param(params, &format!("MediaContentType{n}")).filter(|m| bounded(m, 255));
        let media_type = match mime.and_then(|m| m.split('/').next()) {
            Some("image") => MediaType::Image,
            Some("video") => MediaType::Video,
            Some("audio") => MediaType::Audio,
            _ => MediaType::Document,
        };
        let caption = (n == 0).then(|| body.map(str::to_owned)).flatten();
        out.push(inbound(
            if n == 0 {
                sid.to_owned()
            } else {
                format!("{sid}/{n}")
            },
            InboundBody::Content(MessageContent::Media {
                media_type,
                media_id: media_id(url).unwrap_or_else(|| format!("{sid}-{n}")),
                mime_type: mime.map(str::to_owned),
                caption,
                url: Some(url.to_owned()),
            }),
        ));
    }
    if out.is_empty() {
        let content = match body {
            Some(text) => MessageContent::Text {
                body: text.to_owned(),
            },
            None => MessageContent::Unsupported {
                message_type: "empty".into(),
            },
        };
        out.push(inbound(sid.to_owned(), InboundBody::Content(content)));
    }
    Ok(out)
}

/// A media's id from its URL (`.../Media/ME...`): the last path segment, so
/// it can name the file in a URL path and an object key.
fn media_id(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    let safe = !last.is_empty()
        && last.len() <= 64
        && last
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    safe.then(|| last.to_owned())
}

/// The inline reply Twilio sends for us: saves a call to its API.
pub fn twiml(messages: &[String]) -> String {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>");
    for message in messages {
        xml.push_str("<Message>");
        xml.push_str(&escape_xml(message));
        xml.push_str("</Message>");
    }
    xml.push_str("</Response>");
    xml
}

fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        form_params(body.as_bytes())
    }

    #[test]
    fn parses_text_media_location_and_buttons() {
        let now = Utc::now();
        let base = [
            ("MessageSid", "SM1"),
            ("From", "whatsapp:+6281234567890"),
            ("To", "whatsapp:+6281100000000"),
        ];
        let text = parse(
            &form(&[
                base[0],
                base[1],
                base[2],
                ("Body", "Jalan rusak & banjir"),
                ("NumMedia", "0"),
                ("NewParam", "x"),
            ]),
            now,
        )
        .unwrap();
        assert_eq!(text.len(), 1);
        assert_eq!(text[0].from.phone().unwrap().expose(), "6281234567890");
        assert_eq!(text[0].number_id, "whatsapp:+6281100000000");
        assert_eq!(
            text[0].body,
            InboundBody::Content(MessageContent::Text {
                body: "Jalan rusak & banjir".into()
            })
        );

        let media = parse(
            &form(&[
                base[0],
                base[1],
                base[2],
                ("Body", "foto"),
                ("NumMedia", "2"),
                (
                    "MediaUrl0",
                    "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/SM1/Media/ME1",
                ),
                ("MediaContentType0", "image/jpeg"),
                (
                    "MediaUrl1",
                    "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/SM1/Media/ME2?x=1",
                ),
                ("MediaContentType1", "video/mp4"),
            ]),
            now,
        )
        .unwrap();
        assert_eq!(
            media.iter().map(|m| m.message_id.as_str()).collect::<Vec<_>>(),
            ["SM1", "SM1/1"]
        );
        assert!(matches!(
            &media[1].body,
            InboundBody::Content(MessageContent::Media {
                media_type: MediaType::Video,
                caption: None,
                media_id,
                url: Some(url),
                ..
            }) if media_id == "ME2" && url.ends_with("/Media/ME2?x=1")
        ));
        assert_eq!(media_id("https://api.twilio.com/m/"), Some("m".into()));
        assert_eq!(media_id("https://api.twilio.com/m/a.b"), None);

        let loc = parse(
            &form(&[
                base[0],
                base[1],
                base[2],
                ("Latitude", "-0.305"),
                ("Longitude", "100.369"),
            ]),
            now,
        )
        .unwrap();
        assert!(matches!(
            loc[0].body,
            InboundBody::Content(MessageContent::Location { .. })
        ));
        let bad_loc = parse(
            &form(&[
                base[0],
                base[1],
                base[2],
                ("Latitude", "-100"),
                ("Longitude", "100"),
            ]),
            now,
        );
        assert!(bad_loc.is_err());

        let button = parse(
            &form(&[
                base[0],
                base[1],
                base[2],
                ("Body", "Ya"),
                ("ButtonPayload", "solved:yes"),
            ]),
            now,
        )
        .unwrap();
        assert_eq!(
            button[0].body,
            InboundBody::Choice {
                id: "solved:yes".into(),
                title: "Ya".into()
            }
        );
        assert!(parse(&form(&[base[1], base[2]]), now).is_err());
    }

    /// An SMS to the same Twilio number, as Twilio's incoming-message
    /// webhook documents it: `From` and `To` are bare E.164 numbers.
    fn sms(from: &str, to: &str) -> Vec<(String, String)> {
        form(&[
            ("ToCountry", "ID"),
            ("SmsMessageSid", "SM5e1b3f0c2a9d4e6f8a7b6c5d4e3f2a1b"),
            ("NumMedia", "0"),
            ("SmsSid", "SM5e1b3f0c2a9d4e6f8a7b6c5d4e3f2a1b"),
            ("SmsStatus", "received"),
            ("Body", "BATAL ADU-0001"),
            ("FromCountry", "ID"),
            ("To", to),
            ("MessagingServiceSid", "MG0123456789abcdef0123456789abcdef"),
            ("NumSegments", "1"),
            ("MessageSid", "SM5e1b3f0c2a9d4e6f8a7b6c5d4e3f2a1b"),
            ("AccountSid", "AC0123456789abcdef0123456789abcdef"),
            ("From", from),
            ("ApiVersion", "2010-04-01"),
        ])
    }

    #[test]
    fn a_delivery_not_between_whatsapp_addresses_is_refused() {
        let now = Utc::now();
        let refused = |field| {
            Err(Skipped {
                item: "twilio message",
                field,
                problem: "is not a WhatsApp address",
            })
        };
        // A forged SMS sender would otherwise be the WhatsApp user of that number.
        assert_eq!(
            parse(&sms("+6281234567890", "+6281100000000"), now),
            refused("From")
        );
        assert_eq!(
            parse(&sms("+6281234567890", "whatsapp:+6281100000000"), now),
            refused("From")
        );
        assert_eq!(
            parse(&sms("whatsapp:+6281234567890", "+6281100000000"), now),
            refused("To")
        );
        assert_eq!(
            parse(&sms("messenger:1234567890", "messenger:99"), now),
            refused("From")
        );
        assert_eq!(
            parse(&sms("6281234567890", "whatsapp:+6281100000000"), now),
            refused("From")
        );
        // The same form between WhatsApp addresses is a citizen's message.
        let whatsapp = parse(&sms("whatsapp:+6281234567890", "whatsapp:+6281100000000"), now).unwrap();
        assert_eq!(whatsapp[0].from.phone().unwrap().expose(), "6281234567890");
    }

    #[test]
    fn twiml_escapes_text() {
        assert_eq!(
            twiml(&["a < b & \"c\"".into()]),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>a &lt; b &amp; &quot;c&quot;</Message></Response>"
        );
    }
}
