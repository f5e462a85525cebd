//! Where the providers' APIs are and the credentials they take. The send
//! client and the media downloader both hold them, so they live below both.

#[derive(Clone)]
pub struct TwilioAccount {
    pub account_sid: String,
    pub auth_token: String,
}

/// The API bases, without a trailing `/`, and the credentials for each.
#[derive(Clone)]
pub(crate) struct Credentials {
    pub(crate) meta_base: String,
    pub(crate) meta_token: String,
    pub(crate) twilio_base: String,
    pub(crate) twilio: Option<TwilioAccount>,
}

impl Credentials {
    pub(crate) fn new(
        meta_base: &str,
        meta_token: &str,
        twilio_base: &str,
        twilio: Option<TwilioAccount>,
    ) -> Self {
        Self {
            meta_base: meta_base.trim_end_matches('/').to_owned(),
            meta_token: meta_token.to_owned(),
            twilio_base: twilio_base.trim_end_matches('/').to_owned(),
            twilio,
        }
    }
}
