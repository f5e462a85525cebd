//! A Meta webhook body: signature check on the raw bytes, the envelope parser,
//! the sender's ids (number, BSUID, parent BSUID, system changes of them),
//! then the decision the webhook takes for every message (all but the I/O).
#![no_main]

use aduan_shared::whatsapp::{meta, signature};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let header = signature::sign_meta(b"fuzz-secret", body);
    assert_eq!(
        signature::verify_meta(b"fuzz-secret", body, Some(&header)),
        Ok(())
    );
    assert!(signature::verify_meta(b"other", body, Some(&header)).is_err());
    let Ok(delivery) = meta::parse(body) else {
        return;
    };
    for message in &delivery.messages {
        // A parsed sender always has somewhere to be answered.
        message.from.recipient();
        aduan_fuzz::decide_everywhere(&message.body);
    }
    for change in &delivery.identity_changes {
        change.old.recipient();
        change.new.recipient();
    }
});
