//! What every function needs to message citizens: the WhatsApp send API,
//! the notification templates and the texts. All optional, so a function
//! starts with only the foundation's variables; without a token, sends fail
//! and stay pending (visible on the case) until one is configured.

use std::path::Path;
use std::sync::Arc;

use chrono::FixedOffset;

use super::{ConfigError, Env, Secrets};
use crate::domain::duplicates::DuplicateRules;
use crate::domain::jurisdiction::Jurisdictions;
use crate::domain::reporter::ReporterKeys;
use crate::notify::citizen::{CitizenMessenger, Templates};
use crate::notify::official_digest;
use crate::notify::officials::{self, NoticeTemplate, OfficialNotifier};
use crate::texts::Texts;
use crate::whatsapp::client::{
    ContentTemplates, TwilioAccount, WhatsAppApi, DEFAULT_META_API_BASE, DEFAULT_TWILIO_API_BASE,
};

pub const WHATSAPP_ACCESS_TOKEN: &str = "WHATSAPP_ACCESS_TOKEN";
pub const WHATSAPP_API_BASE: &str = "WHATSAPP_API_BASE";
pub const TWILIO_AUTH_TOKEN: &str = "TWILIO_AUTH_TOKEN";
pub const TWILIO_ACCOUNT_SID: &str = "TWILIO_ACCOUNT_SID";
pub const TWILIO_API_BASE: &str = "TWILIO_API_BASE";
pub const TWILIO_CONTENT_SIDS: &str = "TWILIO_CONTENT_SIDS";
pub const TEXTS_FILE: &str = "TEXTS_FILE";
pub const TEMPLATE_LANGUAGE: &str = "WHATSAPP_TEMPLATE_LANGUAGE";

/// The secrets this module reads (resolve them with the function's others).
pub const OPTIONAL_SECRETS: &[&str] = &[WHATSAPP_ACCESS_TOKEN, TWILIO_AUTH_TOKEN];

pub struct Messaging {
    pub api: WhatsAppApi,
    pub templates: Templates,
    /// The officials' notice template (same language as the citizens').
    pub official_notice: NoticeTemplate,
    /// The officials' morning digest template (same language).
    pub official_digest: NoticeTemplate,
    pub texts: Arc<Texts>,
}

impl Messaging {
    /// The messenger every function tells citizens through.
    pub fn into_messenger(self, keys: Arc<ReporterKeys>, tree: Arc<Jurisdictions>) -> CitizenMessenger {
        CitizenMessenger {
            api: self.api,
            keys,
            texts: self.texts,
            tree,
            templates: self.templates,
        }
    }

    /// The notifier officials' WhatsApp notices go through, with the same
    /// send API and texts; deadlines dated at `offset`, duplicates
    /// suggested by `duplicates`.
    pub fn official_notifier(
        &self,
        keys: &ReporterKeys,
        tree: Arc<Jurisdictions>,
        offset: FixedOffset,
        duplicates: DuplicateRules,
    ) -> OfficialNotifier {
        OfficialNotifier {
            api: self.api.clone(),
            contacts: keys.contacts.clone(),
            texts: self.texts.clone(),
            tree,
            template: self.official_notice.clone(),
            digest_template: self.official_digest.clone(),
            offset,
            duplicates,
        }
    }

    pub fn load(env: &Env, secrets: &Secrets) -> Result<Self, ConfigError> {
        let meta_base = env
            .optional(WHATSAPP_API_BASE)
            .unwrap_or_else(|| DEFAULT_META_API_BASE.to_owned());
        if !meta_base.starts_with("https://") && !meta_base.starts_with("http://") {
            return Err(ConfigError::Invalid {
                name: WHATSAPP_API_BASE.into(),
                reason: "not an http(s) URL".into(),
            });
        }
        let token = secrets.get(WHATSAPP_ACCESS_TOKEN).unwrap_or_default();
        let content = ContentTemplates::parse(&env.optional(TWILIO_CONTENT_SIDS).unwrap_or_default())
            .map_err(|reason| ConfigError::Invalid {
                name: TWILIO_CONTENT_SIDS.into(),
                reason,
            })?;
        let twilio = match (env.optional(TWILIO_ACCOUNT_SID), secrets.get(TWILIO_AUTH_TOKEN)) {
            (Some(account_sid), Some(auth_token)) => Some(TwilioAccount {
                account_sid,
                auth_token: auth_token.to_owned(),
                content,
            }),
            _ => None,
        };
        let twilio_base = env
            .optional(TWILIO_API_BASE)
            .unwrap_or_else(|| DEFAULT_TWILIO_API_BASE.to_owned());
        let language = env
            .optional(TEMPLATE_LANGUAGE)
            .unwrap_or_else(|| Templates::default().language);
        let official_notice = NoticeTemplate {
            name: env
                .optional(officials::TEMPLATE_VARIABLE)
                .unwrap_or_else(|| officials::DEFAULT_TEMPLATE.to_owned()),
            language: language.clone(),
        };
        let official_digest = NoticeTemplate {
            name: env
                .optional(official_digest::TEMPLATE_VARIABLE)
                .unwrap_or_else(|| official_digest::DEFAULT_TEMPLATE.to_owned()),
            language: language.clone(),
        };
        let templates = Templates::new(language, |kind| env.optional(kind.variable()));
        let texts = match env.optional(TEXTS_FILE) {
            Some(path) => Texts::load(Path::new(&path)).map_err(|e| ConfigError::Invalid {
                name: TEXTS_FILE.into(),
                reason: e.to_string(),
            })?,
            None => Texts::shipped(),
        };
        Ok(Self {
            api: WhatsAppApi::new(&meta_base, token, &twilio_base, twilio),
            templates,
            official_notice,
            official_digest,
            texts: Arc::new(texts),
        })
    }
}
