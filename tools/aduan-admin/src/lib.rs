//! `aduan-admin`: subscribes officials' phones and email addresses to the
//! digests (`DIGEST_TOPIC_ARN`) and escalations (`ESCALATION_TOPIC_ARN`) of
//! their jurisdiction, with the filter policy that picks their own messages;
//! lists and removes subscriptions.
//!
//! ```text
//! aduan-admin subscribe --jurisdiction PATH (--sms 08xx | --email x@y)
//!                       [--digests] [--escalations] [--level LEVEL] [--all-below]
//! aduan-admin list [--jurisdiction PATH]
//! aduan-admin unsubscribe SUBSCRIPTION_ARN
//! aduan-admin confirm (--digests | --escalations) --token TOKEN
//! aduan-admin units (list KELURAHAN | add UNIT --head NAME [--whatsapp NUMBER]
//!                    | remove UNIT | import KELURAHAN FILE.csv)
//! aduan-admin citizen (erase | restrict | unrestrict) [--phone NUMBER] [--bsuid ID] [--yes]
//! aduan-admin officials (add --name NAME --whatsapp NUMBER --scope PATH --role ROLE [--notify-below]
//!                            [--digest-by-whatsapp]
//!                        | list [--scope PATH] | remove ID)
//! ```
//!
//! `units` keeps a kelurahan's RWs and RTs in the table ([`units`]);
//! `citizen` carries out a citizen's erasure or restriction request made by
//! other means than WhatsApp ([`citizen`]); `officials` registers officials
//! to act from WhatsApp ([`officials`]).

pub mod backfill;
pub mod citizen;
pub mod officials;
pub mod units;

use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions, UnitPath};
use aduan_shared::domain::ladder::Level;
use aduan_shared::domain::phone::PhoneNumber;
use aduan_shared::notify::digest::DIGEST_TYPE;
use aduan_shared::notify::escalation::ESCALATION_TYPE;
use aduan_shared::notify::{ATTR_JURISDICTION, ATTR_LEVEL, ATTR_QUIET, ATTR_TYPE};
use aws_sdk_sns::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_sns::Client;
use serde_json::{json, Value};

pub const USAGE: &str = "\
usage:
  aduan-admin subscribe --jurisdiction PATH (--sms NUMBER | --email ADDRESS)
                        [--digests] [--escalations] [--level LEVEL] [--all-below]
      Subscribes an official to the digests and/or escalations of PATH
      (both when neither is given); PATH is a node of the tree or an RW or RT
      of a kelurahan (KELURAHAN/rw-03, KELURAHAN/rw-03/rt-01). SMS digests
      are sent only on days with something new or open. --level (rt, rw,
      kelurahan, kecamatan, kota, dinas:<slug>) limits escalations to that
      level; --all-below also sends the digests of every node below PATH.
  aduan-admin list [--jurisdiction PATH]
  aduan-admin unsubscribe SUBSCRIPTION_ARN
  aduan-admin confirm (--digests | --escalations) --token TOKEN
      Confirms an email subscription so that unsubscribing needs the
      topic owner's credentials (a link scanner cannot unsubscribe it).
  aduan-admin units list KELURAHAN
  aduan-admin units add UNIT --head NAME [--whatsapp NUMBER]
      UNIT is KELURAHAN/rw-03 or KELURAHAN/rw-03/rt-01; an RT's RW first.
  aduan-admin units remove UNIT
      An RW that still has RTs is refused.
  aduan-admin units import KELURAHAN FILE.csv
      Header rw,rt,head_name,head_whatsapp, one unit a row (rt empty for an
      RW); any bad row refuses the whole file, each with its line.
  aduan-admin citizen erase (--phone NUMBER | --bsuid ID)... [--yes]
      A citizen's erasure request made by letter or in person, carried out
      as their confirmed HAPUS DATA: their contact and ids deleted, their
      cases kept without them, the cases' files deleted unless marked as
      needed. Asks first unless --yes; prints tickets and counts, never the
      number.
  aduan-admin citizen restrict (--phone NUMBER | --bsuid ID)... [--yes]
  aduan-admin citizen unrestrict (--phone NUMBER | --bsuid ID)... [--yes]
      As their BERHENTI and MULAI: no message goes to them but replies to
      what they send, or that lifted.
  aduan-admin officials add --name NAME --whatsapp NUMBER --scope PATH
                            --role (viewer|officer|admin) [--notify-below]
                            [--digest-by-whatsapp]
      Registers an official to act from WhatsApp at PATH (a node of the
      tree, or an RW or RT of a kelurahan) and prints the one-time code,
      once: they send it from that number to the desk's number within 48
      hours. --notify-below: told of cases anywhere below PATH too.
      --digest-by-whatsapp: PATH's morning digest on WhatsApp too.
  aduan-admin officials list [--scope PATH]
      Those registered at PATH or below (the whole kota without it), the
      number masked.
  aduan-admin officials set ID [--name NAME] [--role ROLE]
                             [--notify-below yes|no] [--digest-by-whatsapp yes|no]
      Changes those in place, at once, without a new code (the number and
      the place are not changed in place: remove and add again).
  aduan-admin officials remove ID
      At once: the number's next message is a citizen's.
  aduan-admin backfill [--dry-run]
      Fills in, from their timelines, what cases from before an upgrade
      lack: the first-verified/first-resolved times of the public record's
      medians and the citizen's last shared place (suggested duplicates).
      Writes only what is missing; safe to run again. --dry-run counts only.
environment: DIGEST_TOPIC_ARN, ESCALATION_TOPIC_ARN, JURISDICTIONS_FILE (optional), AWS_REGION;
for units: TABLE_NAME, CONTACT_ENCRYPTION_KEY or CONTACT_ENCRYPTION_KEY_PARAM;
for citizen: TABLE_NAME, REPORTER_HMAC_KEY or REPORTER_HMAC_KEY_PARAM, MEDIA_BUCKET;
for officials: TABLE_NAME, REPORTER_HMAC_KEY and CONTACT_ENCRYPTION_KEY (or their _PARAM),
AUDIT_RETENTION_DAYS (optional); for backfill: TABLE_NAME";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Sms(PhoneNumber),
    Email(String),
}

impl Endpoint {
    pub fn protocol(&self) -> &'static str {
        match self {
            Endpoint::Sms(_) => "sms",
            Endpoint::Email(_) => "email",
        }
    }

    pub fn address(&self) -> &str {
        match self {
            Endpoint::Sms(p) => p.as_str(),
            Endpoint::Email(e) => e,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribe {
    pub jurisdiction: JurisdictionPath,
    pub endpoint: Endpoint,
    pub digests: bool,
    pub escalations: bool,
    pub level: Option<Level>,
    pub all_below: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Digests,
    Escalations,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Subscribe(Subscribe),
    List { jurisdiction: Option<JurisdictionPath> },
    Unsubscribe { arn: String },
    Confirm { topic: Topic, token: String },
    Help,
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{0}\n\n{USAGE}")]
    Usage(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{name} is not set")]
    MissingEnv { name: &'static str },
    #[error("SNS: {0}")]
    Sns(String),
}

fn usage(message: impl Into<String>) -> AdminError {
    AdminError::Usage(message.into())
}

/// Parses the arguments after the program name; checks the jurisdiction
/// against `tree`: one of its nodes, or an RW or RT of one of its kelurahan
/// (kept in the table, which subscribing does not read: a unit not kept
/// yet simply has no messages).
pub fn parse_args(args: &[String], tree: &Jurisdictions) -> Result<Command, AdminError> {
    let Some((command, rest)) = args.split_first() else {
        return Ok(Command::Help);
    };
    let mut it = rest.iter();
    let value = |flag: &str, it: &mut std::slice::Iter<'_, String>| {
        it.next()
            .cloned()
            .ok_or_else(|| usage(format!("{flag} needs a value")))
    };
    let jurisdiction = |raw: &str| -> Result<JurisdictionPath, AdminError> {
        let path = JurisdictionPath::parse(raw)
            .map_err(|e| AdminError::Invalid(format!("--jurisdiction {raw:?}: {e}")))?;
        if !tree.contains(&path) && UnitPath::of(tree, &path).is_none() {
            return Err(AdminError::Invalid(format!(
                "--jurisdiction {path}: no such node in the jurisdiction tree, nor an RW or RT of one of its kelurahan"
            )));
        }
        Ok(path)
    };
    match command.as_str() {
        "subscribe" => {
            let (mut path, mut endpoint, mut level) = (None, None, None);
            let (mut digests, mut escalations, mut all_below) = (false, false, false);
            while let Some(arg) = it.next() {
                match arg.as_str() {
                    "--jurisdiction" => path = Some(jurisdiction(&value(arg, &mut it)?)?),
                    "--sms" | "--email" if endpoint.is_some() => {
                        return Err(usage("give one of --sms or --email"))
                    }
                    "--sms" => {
                        let raw = value(arg, &mut it)?;
                        let phone = PhoneNumber::parse(&raw)
                            .map_err(|e| AdminError::Invalid(format!("--sms {raw:?}: {e}")))?;
                        endpoint = Some(Endpoint::Sms(phone));
                    }
                    "--email" => endpoint = Some(Endpoint::Email(email(&value(arg, &mut it)?)?)),
                    "--digests" => digests = true,
                    "--escalations" => escalations = true,
                    "--all-below" => all_below = true,
                    "--level" => {
                        let raw = value(arg, &mut it)?;
                        level = Some(
                            Level::parse(&raw).map_err(|e| AdminError::Invalid(format!("--level: {e}")))?,
                        );
                    }
                    other => return Err(usage(format!("unknown argument {other:?}"))),
                }
            }
            let jurisdiction = path.ok_or_else(|| usage("--jurisdiction is required"))?;
            let endpoint = endpoint.ok_or_else(|| usage("give --sms NUMBER or --email ADDRESS"))?;
            if !digests && !escalations {
                digests = true;
                escalations = true;
            }
            Ok(Command::Subscribe(Subscribe {
                jurisdiction,
                endpoint,
                digests,
                escalations,
                level,
                all_below,
            }))
        }
        "list" => {
            let mut path = None;
            while let Some(arg) = it.next() {
                match arg.as_str() {
                    "--jurisdiction" => path = Some(jurisdiction(&value(arg, &mut it)?)?),
                    other => return Err(usage(format!("unknown argument {other:?}"))),
                }
            }
            Ok(Command::List { jurisdiction: path })
        }
        "unsubscribe" => match rest {
            [arn] if arn.starts_with("arn:") && arn.matches(':').count() >= 6 => {
                Ok(Command::Unsubscribe { arn: arn.clone() })
            }
            [other] => Err(AdminError::Invalid(format!(
                "{other:?} is not a subscription ARN"
            ))),
            _ => Err(usage("unsubscribe takes one subscription ARN")),
        },
        "confirm" => {
            let (mut topic, mut token) = (None, None);
            while let Some(arg) = it.next() {
                match arg.as_str() {
                    "--digests" => topic = Some(Topic::Digests),
                    "--escalations" => topic = Some(Topic::Escalations),
                    "--token" => token = Some(value(arg, &mut it)?),
                    other => return Err(usage(format!("unknown argument {other:?}"))),
                }
            }
            Ok(Command::Confirm {
                topic: topic.ok_or_else(|| usage("give --digests or --escalations"))?,
                token: token.ok_or_else(|| usage("--token is required"))?,
            })
        }
        "help" | "--help" | "-h" => Ok(Command::Help),
        other => Err(usage(format!("unknown command {other:?}"))),
    }
}

fn email(raw: &str) -> Result<String, AdminError> {
    let raw = raw.trim();
    let ok = match raw.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && raw.chars().all(|c| c.is_ascii_graphic())
                && raw.len() <= 254
        }
        None => false,
    };
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(AdminError::Invalid(format!(
            "--email {raw:?} is not an email address"
        )))
    }
}

/// The digest subscription's filter policy: the node's own digest (every
/// node's below it with `all_below`), and for SMS only non-quiet days.
pub fn digest_filter_policy(sub: &Subscribe) -> Value {
    let path = sub.jurisdiction.with_trailing_slash();
    let mut policy = json!({
        ATTR_JURISDICTION: if sub.all_below { json!([{"prefix": path}]) } else { json!([path]) },
        ATTR_TYPE: [DIGEST_TYPE],
    });
    if sub.all_below {
        if let Some(level) = &sub.level {
            policy[ATTR_LEVEL] = json!([level.to_string()]);
        }
    }
    if matches!(sub.endpoint, Endpoint::Sms(_)) {
        policy[ATTR_QUIET] = json!(["false"]);
    }
    policy
}

/// The escalation subscription's filter policy: every escalation at or below
/// the jurisdiction (prefix on the path with its trailing slash, so a sibling
/// whose slug starts the same never matches), optionally only to one level.
pub fn escalation_filter_policy(sub: &Subscribe) -> Value {
    let mut policy = json!({
        ATTR_JURISDICTION: [{"prefix": sub.jurisdiction.with_trailing_slash()}],
        ATTR_TYPE: [ESCALATION_TYPE],
    });
    if let Some(level) = &sub.level {
        policy[ATTR_LEVEL] = json!([level.to_string()]);
    }
    policy
}

/// The topics, from `DIGEST_TOPIC_ARN` and `ESCALATION_TOPIC_ARN`.
#[derive(Debug, Clone)]
pub struct Topics {
    pub digests: String,
    pub escalations: String,
}

impl Topics {
    pub fn from_env() -> Result<Self, AdminError> {
        let get = |name: &'static str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .ok_or(AdminError::MissingEnv { name })
        };
        Ok(Self {
            digests: get("DIGEST_TOPIC_ARN")?,
            escalations: get("ESCALATION_TOPIC_ARN")?,
        })
    }

    fn arn(&self, topic: Topic) -> &str {
        match topic {
            Topic::Digests => &self.digests,
            Topic::Escalations => &self.escalations,
        }
    }
}

fn sns_error<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    err: aws_sdk_sns::error::SdkError<E, R>,
) -> AdminError {
    match err.as_service_error() {
        Some(e) => AdminError::Sns(format!(
            "{}: {}",
            e.code().unwrap_or("error"),
            e.message().unwrap_or("no message")
        )),
        None => AdminError::Sns(DisplayErrorContext(err).to_string()),
    }
}

/// One subscription as `list` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub topic: &'static str,
    pub arn: String,
    pub protocol: String,
    pub endpoint: String,
    pub filter_policy: Option<Value>,
}

impl Listed {
    pub fn line(&self) -> String {
        let policy = self
            .filter_policy
            .as_ref()
            .map_or_else(|| "(no filter)".to_owned(), Value::to_string);
        format!(
            "{}\t{}\t{}\t{}\t{}",
            self.topic, self.protocol, self.endpoint, self.arn, policy
        )
    }

    /// Whether the filter policy is for `path` (exactly, or a prefix of it).
    fn concerns(&self, path: &JurisdictionPath) -> bool {
        let wanted = path.with_trailing_slash();
        let Some(values) = self
            .filter_policy
            .as_ref()
            .and_then(|p| p.get(ATTR_JURISDICTION))
            .and_then(Value::as_array)
        else {
            return false;
        };
        values.iter().any(|v| {
            v.as_str() == Some(wanted.as_str())
                || v.get("prefix").and_then(Value::as_str) == Some(wanted.as_str())
        })
    }
}

/// Runs a command; returns what to print.
pub async fn run(client: &Client, topics: &Topics, command: Command) -> Result<Vec<String>, AdminError> {
    match command {
        Command::Help => Ok(vec![USAGE.to_owned()]),
        Command::Subscribe(sub) => {
            let mut out = Vec::new();
            let mut wanted = Vec::new();
            if sub.digests {
                wanted.push((Topic::Digests, digest_filter_policy(&sub)));
            }
            if sub.escalations {
                wanted.push((Topic::Escalations, escalation_filter_policy(&sub)));
            }
            for (topic, policy) in wanted {
                let result = client
                    .subscribe()
                    .topic_arn(topics.arn(topic))
                    .protocol(sub.endpoint.protocol())
                    .endpoint(sub.endpoint.address())
                    .attributes("FilterPolicyScope", "MessageAttributes")
                    .attributes("FilterPolicy", policy.to_string())
                    .return_subscription_arn(true)
                    .send()
                    .await
                    .map_err(sns_error)?;
                let arn = result.subscription_arn().unwrap_or("pending confirmation");
                let name = topic_name(topic);
                out.push(format!(
                    "subscribed {} to {name}: {arn} {policy}",
                    sub.endpoint.address()
                ));
                if matches!(sub.endpoint, Endpoint::Email(_)) {
                    out.push(format!(
                        "  the address must confirm by email; then run `aduan-admin confirm --{name} --token TOKEN` with the link's token"
                    ));
                }
            }
            Ok(out)
        }
        Command::List { jurisdiction } => {
            let mut lines = Vec::new();
            for listed in list(client, topics).await? {
                if jurisdiction.as_ref().is_none_or(|p| listed.concerns(p)) {
                    lines.push(listed.line());
                }
            }
            if lines.is_empty() {
                lines.push("no subscriptions".to_owned());
            }
            Ok(lines)
        }
        Command::Unsubscribe { arn } => {
            client
                .unsubscribe()
                .subscription_arn(&arn)
                .send()
                .await
                .map_err(sns_error)?;
            Ok(vec![format!("unsubscribed {arn}")])
        }
        Command::Confirm { topic, token } => {
            let out = client
                .confirm_subscription()
                .topic_arn(topics.arn(topic))
                .token(token)
                .authenticate_on_unsubscribe("true")
                .send()
                .await
                .map_err(sns_error)?;
            Ok(vec![format!(
                "confirmed {}",
                out.subscription_arn().unwrap_or_default()
            )])
        }
    }
}

fn topic_name(topic: Topic) -> &'static str {
    match topic {
        Topic::Digests => "digests",
        Topic::Escalations => "escalations",
    }
}

/// Every subscription of both topics, with its filter policy.
pub async fn list(client: &Client, topics: &Topics) -> Result<Vec<Listed>, AdminError> {
    let mut all = Vec::new();
    for topic in [Topic::Digests, Topic::Escalations] {
        let mut token = None;
        loop {
            let page = client
                .list_subscriptions_by_topic()
                .topic_arn(topics.arn(topic))
                .set_next_token(token)
                .send()
                .await
                .map_err(sns_error)?;
            for s in page.subscriptions() {
                let arn = s.subscription_arn().unwrap_or_default().to_owned();
                let filter_policy = if arn.starts_with("arn:") {
                    client
                        .get_subscription_attributes()
                        .subscription_arn(&arn)
                        .send()
                        .await
                        .map_err(sns_error)?
                        .attributes()
                        .and_then(|a| a.get("FilterPolicy"))
                        .and_then(|p| serde_json::from_str(p).ok())
                } else {
                    None
                };
                all.push(Listed {
                    topic: topic_name(topic),
                    arn,
                    protocol: s.protocol().unwrap_or_default().to_owned(),
                    endpoint: s.endpoint().unwrap_or_default().to_owned(),
                    filter_policy,
                });
            }
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    fn parse(s: &str) -> Result<Command, AdminError> {
        parse_args(&args(s), Jurisdictions::bukittinggi())
    }

    const GAREGEH: &str = "bukittinggi/mandiangin-koto-selayan/garegeh";

    #[test]
    fn subscribe_sms_to_both_by_default() {
        let Command::Subscribe(sub) = parse(&format!(
            "subscribe --jurisdiction {GAREGEH} --sms 0812-3456-7890"
        ))
        .unwrap() else {
            panic!()
        };
        assert_eq!(
            sub.endpoint,
            Endpoint::Sms(PhoneNumber::parse("+6281234567890").unwrap())
        );
        assert!(sub.digests && sub.escalations);
        assert_eq!(
            digest_filter_policy(&sub),
            json!({"jurisdiction": [format!("{GAREGEH}/")], "type": ["digest"], "quiet": ["false"]})
        );
        assert_eq!(
            escalation_filter_policy(&sub),
            json!({"jurisdiction": [{"prefix": format!("{GAREGEH}/")}], "type": ["escalation"]})
        );
    }

    #[test]
    fn an_rt_or_rw_of_a_kelurahan_is_subscribed_to_its_own_path() {
        let rt = format!("{GAREGEH}/rw-03/rt-01");
        let Command::Subscribe(sub) =
            parse(&format!("subscribe --jurisdiction {rt} --email rt@example.id")).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            digest_filter_policy(&sub),
            json!({"jurisdiction": [format!("{rt}/")], "type": ["digest"]})
        );
        assert_eq!(
            escalation_filter_policy(&sub),
            json!({"jurisdiction": [{"prefix": format!("{rt}/")}], "type": ["escalation"]})
        );
        assert!(parse(&format!(
            "subscribe --jurisdiction {GAREGEH}/rw-03 --sms 081234567890 --all-below"
        ))
        .is_ok());
        for bad in [
            format!("{GAREGEH}/rw-3"),
            format!("{GAREGEH}/rt-01"),
            format!("{GAREGEH}/rw-03/rt-01/x"),
            "bukittinggi/mandiangin-koto-selayan/rw-01".to_owned(),
        ] {
            let err = parse(&format!("subscribe --jurisdiction {bad} --email rt@example.id")).unwrap_err();
            assert!(err.to_string().contains("no such node"), "{bad}: {err}");
        }
    }

    #[test]
    fn email_with_level_and_all_below() {
        let Command::Subscribe(sub) = parse(
            "subscribe --jurisdiction bukittinggi/mandiangin-koto-selayan --email camat@example.go.id --escalations --digests --level kecamatan --all-below",
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(
            escalation_filter_policy(&sub),
            json!({"jurisdiction": [{"prefix": "bukittinggi/mandiangin-koto-selayan/"}], "type": ["escalation"], "level": ["kecamatan"]})
        );
        assert_eq!(
            digest_filter_policy(&sub),
            json!({"jurisdiction": [{"prefix": "bukittinggi/mandiangin-koto-selayan/"}], "type": ["digest"], "level": ["kecamatan"]})
        );
    }

    #[test]
    fn bad_arguments_are_explained() {
        for (line, expect) in [
            ("subscribe --sms 0812345678", "--jurisdiction is required"),
            (
                "subscribe --jurisdiction bukittinggi",
                "give --sms NUMBER or --email ADDRESS",
            ),
            (
                "subscribe --jurisdiction bukittinggi/nowhere --sms 081234567890",
                "no such node",
            ),
            ("subscribe --jurisdiction bukittinggi --sms 0812abc", "--sms"),
            (
                "subscribe --jurisdiction bukittinggi --email nobody",
                "not an email address",
            ),
            (
                "subscribe --jurisdiction bukittinggi --sms 081234567890 --email a@b.id",
                "one of --sms or --email",
            ),
            (
                "subscribe --jurisdiction bukittinggi --sms 081234567890 --level lurah",
                "--level",
            ),
            ("unsubscribe nope", "not a subscription ARN"),
            ("frobnicate", "unknown command"),
        ] {
            let err = parse(line).unwrap_err().to_string();
            assert!(err.contains(expect), "{line}: {err}");
        }
        assert_eq!(parse("").unwrap(), Command::Help);
        assert_eq!(
            parse("list --jurisdiction bukittinggi").unwrap(),
            Command::List {
                jurisdiction: Some(JurisdictionPath::parse("bukittinggi").unwrap())
            }
        );
    }
}
