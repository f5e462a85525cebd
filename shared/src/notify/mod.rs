//! Notifying officials through SNS: escalations (`ESCALATION_TOPIC_ARN`) and
//! daily digests (`DIGEST_TOPIC_ARN`). Message building is pure
//! ([`escalation::escalation_message`], [`digest::DigestReport`]); [`sns`]
//! publishes. Officials subscribe by SMS or email with a filter policy on the
//! message attributes below (see docs/officials.md and `aduan-admin`).

pub mod citizen;
pub mod digest;
pub mod escalation;
pub mod gsm7;
pub mod names;
pub mod official_digest;
pub mod official_retry;
pub mod officials;
pub mod retry;
mod sms;
pub mod sns;
pub mod templates;

pub use escalation::{EscalationNotifier, NotifyError, PublishOutcome, RetryOutcome};
pub use retry::RetryPolicy;
pub use sns::{PublishError, SnsMessage, SnsPublisher};

/// Message attribute: the node's path with a trailing slash
/// (`bukittinggi/mandiangin-koto-selayan/garegeh/`), for prefix filters that
/// stop at a segment boundary.
pub const ATTR_JURISDICTION: &str = "jurisdiction";
/// Message attribute: the level (`kelurahan`, `kecamatan`, `kota`, `dinas:pupr`).
pub const ATTR_LEVEL: &str = "level";
/// Message attribute: `escalation` or `digest`.
pub const ATTR_TYPE: &str = "type";
/// Message attribute of digests: `true` when the node has nothing new and
/// nothing open. SMS subscriptions filter on `quiet` = `false`.
pub const ATTR_QUIET: &str = "quiet";
