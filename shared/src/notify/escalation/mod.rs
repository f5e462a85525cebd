//! Escalations to officials on `ESCALATION_TOPIC_ARN`: the message, built
//! purely (`message.rs`), and the notifier that publishes it (`notifier.rs`).

mod message;
mod notifier;

pub use message::{
    escalation_jurisdiction, escalation_message, forward_jurisdiction, summary, summary_of, MessageContext,
    NotAnEscalation, ESCALATION_TYPE,
};
pub use notifier::{EscalationNotifier, NotifyError, PublishOutcome, RetryOutcome};
// Their old paths: they moved to notify's own modules, as the digest and the
// citizen messages use them too.
pub use super::names::{level_name, node_name};
pub use super::retry::RetryPolicy;
