//! How the simulator shows things: plain text, one item per line, indented
//! under the step that produced it.

use std::fmt::Write;

use serde_json::Value;

use crate::BotMessage;

/// The bot's messages to a citizen, with the choices they offer.
pub fn bot_messages(to: &str, messages: &[BotMessage]) -> String {
    if messages.is_empty() {
        return "  (no reply)\n".to_owned();
    }
    let mut out = String::new();
    for message in messages {
        let via = message
            .template
            .as_deref()
            .map_or(String::new(), |t| format!(" [template {t}]"));
        let _ = writeln!(out, "  bot -> {to}{via}:");
        for line in message.text.lines() {
            let _ = writeln!(out, "    | {line}");
        }
        for (n, choice) in message.choices.iter().enumerate() {
            let _ = writeln!(out, "    [{}] {}", n + 1, choice.title);
        }
    }
    out
}

/// A page of `GET /cases`: one line per case.
pub fn case_list(page: &Value) -> String {
    let cases = page["cases"].as_array().cloned().unwrap_or_default();
    if cases.is_empty() {
        return "  (no cases)\n".to_owned();
    }
    let mut out = String::new();
    for case in &cases {
        let _ = writeln!(
            out,
            "  {:<10} {:<11} {:<10} {:<10} {:<28} {}{}",
            text(&case["ticket"]),
            text(&case["status"]),
            text(&case["kind"]),
            text(&case["level"]),
            text(&case["area_name"]),
            text(&case["reporter"]),
            if case["overdue"] == Value::Bool(true) {
                "  OVERDUE"
            } else {
                ""
            },
        );
    }
    out
}

/// A case with its timeline (`GET /cases/{ticket}`).
pub fn case_detail(detail: &Value) -> String {
    let case = &detail["case"];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  {} ({}) {} at {} level, {}, version {}",
        text(&case["ticket"]),
        text(&case["kind"]),
        text(&case["status"]),
        text(&case["level"]),
        text(&case["area_name"]),
        case["version"]
    );
    let _ = writeln!(out, "  reporter {} (a pseudonym)", text(&case["reporter"]));
    let _ = writeln!(out, "  {}", text(&case["description"]));
    let actions: Vec<&str> = case["actions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let _ = writeln!(out, "  allowed now: {}", actions.join(", "));
    for event in detail["timeline"].as_array().into_iter().flatten() {
        let actor = match event["actor"]["type"].as_str() {
            Some("official") => text(&event["actor"]["name"]),
            Some(other) => other.to_owned(),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "    {} {:<22} {}",
            text(&event["at"]).get(..19).unwrap_or_default(),
            actor,
            event_summary(&event["body"])
        );
    }
    out
}

/// One line for a timeline event: its type and the fields a reader wants.
fn event_summary(body: &Value) -> String {
    const SHOWN: [&str; 12] = [
        "body",
        "caption",
        "media_type",
        "latitude",
        "longitude",
        "from",
        "to",
        "note",
        "reason",
        "text",
        "rating",
        "status",
    ];
    let content = &body["content"];
    let detail = SHOWN
        .iter()
        .flat_map(|key| [(key, &body[*key]), (key, &content[*key])])
        .filter_map(|(key, value)| match value {
            Value::Null => None,
            Value::String(s) => Some(format!("{key}: {}", first_line(s))),
            other => Some(format!("{key}: {other}")),
        })
        .collect::<Vec<_>>()
        .join("; ");
    format!("{:<14} {detail}", text(&body["type"]))
}

/// A message's first line, marked when there is more.
fn first_line(text: &str) -> String {
    match text.split_once('\n') {
        Some((first, _)) => format!("{first} [...]"),
        None => text.to_owned(),
    }
}

/// Messages published to SNS: what an SMS and an email subscriber get.
pub fn published(messages: &[Value]) -> String {
    if messages.is_empty() {
        return "  (nothing published)\n".to_owned();
    }
    let mut out = String::new();
    for message in messages {
        let attributes: Vec<String> = message["attributes"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| format!("{k}={}", text(v)))
            .collect();
        let _ = writeln!(
            out,
            "  {} topic [{}]",
            text(&message["topic"]),
            attributes.join(" ")
        );
        let _ = writeln!(out, "    SMS:   {}", text(&message["sms"]));
        let _ = writeln!(out, "    email: {}", text(&message["subject"]));
        for line in text(&message["email"]).lines() {
            let _ = writeln!(out, "      | {line}");
        }
    }
    out
}

pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    }
}
