//! Publishing to SNS: one message, `MessageStructure=json` with a body per
//! protocol (`default`, `sms`, `email`), an email subject and the string
//! message attributes subscriptions filter on. The client is passed in.

use std::collections::BTreeMap;

use aws_sdk_sns::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sns::Client;

/// The most characters of an SMS body we send: one GSM-7 segment.
pub const MAX_SMS_GSM7: usize = 160;
/// SNS's limit on `Subject` (ASCII, no line breaks, printable).
pub const MAX_SUBJECT: usize = 100;

/// A message ready to publish. Built by pure functions
/// ([`super::escalation::escalation_message`], [`super::digest::DigestReport::message`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsMessage {
    /// The email subject (ASCII, at most [`MAX_SUBJECT`]).
    pub subject: String,
    /// For protocols without their own body (SQS, HTTP, Lambda, ...).
    pub default: String,
    /// At most [`MAX_SMS_GSM7`] GSM-7 characters.
    pub sms: String,
    /// Plain text.
    pub email: String,
    /// String message attributes, by name (`jurisdiction`, `level`, `type`, ...).
    pub attributes: BTreeMap<String, String>,
}

impl SnsMessage {
    /// The `Message` of a `MessageStructure=json` publish: a JSON object with
    /// a string per protocol, `default` included.
    pub fn structured_body(&self) -> String {
        serde_json::json!({
            "default": self.default,
            "sms": self.sms,
            "email": self.email,
        })
        .to_string()
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }
}

/// Why a publish did not go out. The text is for logs and the outbox; it
/// never contains a message body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SNS publish failed: {0}")]
pub struct PublishError(pub String);

/// The SNS adapter.
#[derive(Debug, Clone)]
pub struct SnsPublisher {
    client: Client,
}

impl SnsPublisher {
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Publishes one message; returns SNS's message id.
    pub async fn publish(&self, topic_arn: &str, message: &SnsMessage) -> Result<String, PublishError> {
        let mut request = self
            .client
            .publish()
            .topic_arn(topic_arn)
            .message_structure("json")
            .message(message.structured_body())
            .subject(&message.subject);
        for (name, value) in &message.attributes {
            let attribute = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| PublishError(e.to_string()))?;
            request = request.message_attributes(name, attribute);
        }
        let out = request.send().await.map_err(|e| PublishError(short_error(e)))?;
        Ok(out.message_id().unwrap_or_default().to_owned())
    }
}

/// Errors are kept in the outbox and on the timeline: the code and message
/// only (never the raw response), at most [`MAX_ERROR`] characters.
const MAX_ERROR: usize = 300;

fn short_error<E, R>(err: SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let text = match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            format!(
                "{}: {}",
                e.code().unwrap_or("ServiceError"),
                e.message().unwrap_or("no message")
            )
        }
        SdkError::TimeoutError(_) => "timeout".to_owned(),
        SdkError::DispatchFailure(_) => format!("dispatch failure: {}", DisplayErrorContext(&err)),
        _ => DisplayErrorContext(&err).to_string(),
    };
    text.chars().take(MAX_ERROR).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structured_body_has_a_string_per_protocol() {
        let message = SnsMessage {
            subject: "s".into(),
            default: "d \"quoted\"".into(),
            sms: "sms".into(),
            email: "line 1\nline 2".into(),
            attributes: BTreeMap::new(),
        };
        let body: serde_json::Value = serde_json::from_str(&message.structured_body()).unwrap();
        assert_eq!(body["default"], "d \"quoted\"");
        assert_eq!(body["sms"], "sms");
        assert_eq!(body["email"], "line 1\nline 2");
        assert_eq!(body.as_object().unwrap().len(), 3);
    }
}
