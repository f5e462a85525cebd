//! What an invocation asks for. A schedule's `Input` arrives as the event
//! itself (`{"job": "sla-sweep"}`); an EventBridge event whose `detail` holds
//! the same object is accepted too.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// The digests of `day` (default: yesterday, local time).
    DailyDigest {
        day: Option<NaiveDate>,
    },
    SlaSweep,
    /// Only the WhatsApp messages left pending, on a schedule of its own
    /// every few minutes: a reply whose send failed waits minutes, not up to
    /// the hourly sweep.
    MessageRetry,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    #[error("unknown job {0:?}: expected \"daily-digest\", \"sla-sweep\" or \"message-retry\"")]
    UnknownJob(String),
    #[error("bad date {0:?}: expected YYYY-MM-DD")]
    BadDate(String),
    #[error("\"date\" is only for the daily-digest job")]
    DateNotAllowed,
    #[error("not a job: expected {{\"job\": \"daily-digest\" | \"sla-sweep\" | \"message-retry\"}}: {0}")]
    Malformed(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    job: String,
    #[serde(default)]
    date: Option<String>,
}

pub fn parse_job(event: &Value) -> Result<Job, JobError> {
    let input = if event.get("job").is_some() {
        event.clone()
    } else if event.get("detail").is_some() {
        let envelope: EventBridgeEvent<Value> =
            serde_json::from_value(event.clone()).map_err(|e| JobError::Malformed(e.to_string()))?;
        envelope.detail
    } else {
        return Err(JobError::Malformed("no \"job\" field".into()));
    };
    let input: Input = serde_json::from_value(input).map_err(|e| JobError::Malformed(e.to_string()))?;
    match (input.job.as_str(), input.date) {
        ("daily-digest", None) => Ok(Job::DailyDigest { day: None }),
        ("daily-digest", Some(date)) => date
            .trim()
            .parse::<NaiveDate>()
            .map(|day| Job::DailyDigest { day: Some(day) })
            .map_err(|_| JobError::BadDate(date)),
        ("sla-sweep", None) => Ok(Job::SlaSweep),
        ("message-retry", None) => Ok(Job::MessageRetry),
        ("sla-sweep" | "message-retry", Some(_)) => Err(JobError::DateNotAllowed),
        (other, _) => Err(JobError::UnknownJob(other.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bare_schedule_inputs() {
        assert_eq!(
            parse_job(&json!({"job": "daily-digest"})),
            Ok(Job::DailyDigest { day: None })
        );
        assert_eq!(
            parse_job(&json!({"job": "daily-digest", "date": "2026-11-28"})),
            Ok(Job::DailyDigest {
                day: Some("2026-11-28".parse().unwrap())
            })
        );
        assert_eq!(parse_job(&json!({"job": "sla-sweep"})), Ok(Job::SlaSweep));
        assert_eq!(parse_job(&json!({"job": "message-retry"})), Ok(Job::MessageRetry));
    }

    #[test]
    fn eventbridge_envelope() {
        let event = json!({
            "version": "0",
            "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": "2026-11-29T00:00:00Z",
            "region": "ap-southeast-3",
            "resources": ["arn:aws:events:ap-southeast-3:123456789012:rule/aduan-daily-digest"],
            "detail": {"job": "sla-sweep"}
        });
        assert_eq!(parse_job(&event), Ok(Job::SlaSweep));
        let mut empty = event.clone();
        empty["detail"] = json!({});
        assert!(matches!(parse_job(&empty), Err(JobError::Malformed(_))));
    }

    #[test]
    fn everything_else_is_rejected() {
        assert_eq!(
            parse_job(&json!({"job": "digest"})),
            Err(JobError::UnknownJob("digest".into()))
        );
        assert_eq!(
            parse_job(&json!({"job": "daily-digest", "date": "28/11/2026"})),
            Err(JobError::BadDate("28/11/2026".into()))
        );
        for job in ["sla-sweep", "message-retry"] {
            assert_eq!(
                parse_job(&json!({"job": job, "date": "2026-11-28"})),
                Err(JobError::DateNotAllowed)
            );
        }
        for bad in [
            json!({}),
            json!("sla-sweep"),
            json!(null),
            json!({"job": 1}),
            json!({"job": "sla-sweep", "x": 1}),
        ] {
            assert!(parse_job(&bad).is_err(), "{bad}");
        }
    }
}
