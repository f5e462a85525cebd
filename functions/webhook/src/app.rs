//! The webhook's state: built once per cold start from the environment.

use std::collections::HashMap;
use std::sync::Arc;

use aduan_shared::archive::MediaArchive;
use aduan_shared::config::media::MediaConfig;
use aduan_shared::config::messaging::{self, Messaging};
use aduan_shared::config::policy::Policy;
use aduan_shared::config::vocabulary;
use aduan_shared::config::{CommonConfig, ConfigError, Env};
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions, NodeKind};
use aduan_shared::notify::citizen::CitizenMessenger;
use aduan_shared::store::Store;

use crate::inbound::Desk;

pub const WHATSAPP_APP_SECRET: &str = "WHATSAPP_APP_SECRET";
pub const WHATSAPP_VERIFY_TOKEN: &str = "WHATSAPP_VERIFY_TOKEN";
pub const TWILIO_WEBHOOK_URL: &str = "TWILIO_WEBHOOK_URL";
pub const NUMBER_KECAMATAN: &str = "NUMBER_KECAMATAN";
pub const OFFICIALS_NUMBER_ID: &str = "OFFICIALS_NUMBER_ID";

/// Meta's webhook: present when its secrets are configured.
#[derive(Clone)]
pub struct MetaWebhook {
    pub app_secret: Vec<u8>,
    pub verify_token: Option<String>,
}

/// Twilio's webhook: optional per deployment.
#[derive(Clone)]
pub struct TwilioWebhook {
    pub auth_token: Vec<u8>,
    /// The public URL Twilio calls, which the signature covers.
    pub public_url: String,
}

pub struct App {
    /// The one store every part of the webhook writes through.
    pub store: Store,
    /// The rules of the conversation: what handling a message needs
    /// besides the store.
    pub desk: Desk,
    pub messenger: CitizenMessenger,
    pub meta: Option<MetaWebhook>,
    pub twilio: Option<TwilioWebhook>,
    /// Keeps citizens' files, when a media bucket is configured.
    pub media: Option<MediaArchive>,
    /// The officials' API, which registered officials' WhatsApp commands
    /// go through.
    pub officials_api: case_updates::AppState,
}

impl App {
    pub async fn from_config(env: &Env, sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let optional = [
            &[WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN][..],
            messaging::OPTIONAL_SECRETS,
        ]
        .concat();
        let (common, secrets) = CommonConfig::from_env(env, sdk, &[], &optional).await?;
        let policy = Policy::from_env(env)?;
        let outgoing = Messaging::load(env, &secrets)?;
        let texts = outgoing.texts.clone();
        let vocabulary = Arc::new(vocabulary::load(env)?);
        let tree = common.jurisdictions.clone();
        let number_kecamatan = parse_number_kecamatan(env, &tree)?;
        let meta = secrets.get(WHATSAPP_APP_SECRET).map(|secret| MetaWebhook {
            app_secret: secret.as_bytes().to_vec(),
            verify_token: secrets.get(WHATSAPP_VERIFY_TOKEN).map(str::to_owned),
        });
        let twilio = match (
            secrets.get(messaging::TWILIO_AUTH_TOKEN),
            env.optional(TWILIO_WEBHOOK_URL),
        ) {
            (Some(token), Some(url)) => Some(TwilioWebhook {
                auth_token: token.as_bytes().to_vec(),
                public_url: url,
            }),
            _ => None,
        };
        let store = Store::new(
            aws_sdk_dynamodb::Client::new(sdk),
            common.table_name.clone(),
            policy.sla.calendar.clone(),
        )
        .with_contact_retention(policy.privacy.contact_retention);
        let officials_api = case_updates::AppState::from_parts(env, sdk, &common, &secrets)?;
        let keys = Arc::new(common.reporter_keys);
        let media = MediaConfig::load(env)?
            .map(|config| MediaArchive::new(&config, sdk, outgoing.api.media_downloader()));
        let messenger = outgoing.into_messenger(keys.clone(), tree.clone());
        let desk = Desk {
            keys,
            tree,
            texts,
            vocabulary,
            policy,
            number_kecamatan,
            officials_number: env.optional(OFFICIALS_NUMBER_ID),
            keeps_files: media.is_some(),
        };
        Ok(Self {
            store,
            desk,
            messenger,
            meta,
            twilio,
            media,
            officials_api,
        })
    }
}

/// `NUMBER_KECAMATAN=<phone_number_id>=<kecamatan path>,...`
fn parse_number_kecamatan(
    env: &Env,
    tree: &Jurisdictions,
) -> Result<HashMap<String, JurisdictionPath>, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        name: NUMBER_KECAMATAN.into(),
        reason,
    };
    let Some(raw) = env.optional(NUMBER_KECAMATAN) else {
        return Ok(HashMap::new());
    };
    raw.split(',')
        .map(|pair| {
            let (number, path) = pair
                .split_once('=')
                .ok_or_else(|| invalid(format!("{pair:?} is not <phone_number_id>=<kecamatan path>")))?;
            let path = JurisdictionPath::parse(path.trim()).map_err(|e| invalid(e.to_string()))?;
            match tree.node(&path) {
                Some(node) if node.kind == NodeKind::Kecamatan => Ok((number.trim().to_owned(), path)),
                _ => Err(invalid(format!(
                    "{path} is not a kecamatan of the jurisdiction tree"
                ))),
            }
        })
        .collect()
}
