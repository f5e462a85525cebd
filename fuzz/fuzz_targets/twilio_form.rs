//! A Twilio form body: decoding, the signature over the decoded parameters,
//! the message parser and the webhook's decision for each message.
#![no_main]

use aduan_shared::whatsapp::{signature, twilio};
use chrono::DateTime;
use libfuzzer_sys::fuzz_target;

const URL: &str = "https://example.org/webhook/twilio";

fuzz_target!(|body: &[u8]| {
    let params = twilio::form_params(body);
    let header = signature::sign_twilio(b"token", URL, &params);
    assert_eq!(
        signature::verify_twilio(b"token", URL, &params, Some(&header)),
        Ok(())
    );
    let at = DateTime::from_timestamp(1_764_000_000, 0).expect("a valid time");
    let Ok(messages) = twilio::parse(&params, at) else {
        return;
    };
    let mut replies = Vec::new();
    for message in &messages {
        aduan_fuzz::decide_everywhere(&message.body);
        if let aduan_shared::whatsapp::InboundBody::Choice { title, .. } = &message.body {
            replies.push(title.clone());
        }
    }
    // The inline reply is XML built from text: it must stay well-formed.
    let xml = twilio::twiml(&replies);
    assert_eq!(xml.matches("<Message>").count(), replies.len());
});
