//! Keeping citizens' files: all optional. Without `MEDIA_BUCKET` media stay
//! references to the provider's copy (which WhatsApp deletes after about 30
//! days), as before the bucket existed.
//!
//! | variable | default | |
//! |---|---|---|
//! | `MEDIA_BUCKET` | none | the S3 bucket the files are kept in |
//! | `MEDIA_MAX_BYTES` | 16 MiB | larger files are not fetched (`too_large` on the timeline) |
//! | `MEDIA_FETCH_TIMEOUT_MS` | 3000 | how long the webhook tries before answering; then the sweep takes over |

use std::time::Duration;

use super::{ConfigError, Env};

pub const MEDIA_BUCKET: &str = "MEDIA_BUCKET";
pub const MEDIA_MAX_BYTES: &str = "MEDIA_MAX_BYTES";
pub const MEDIA_FETCH_TIMEOUT_MS: &str = "MEDIA_FETCH_TIMEOUT_MS";

/// WhatsApp's own limit for documents is 100 MB, for images 5 MB and videos
/// 16 MB: 16 MiB keeps photos, voice notes and short videos.
pub const DEFAULT_MAX_BYTES: u64 = 16 * 1024 * 1024;
pub const DEFAULT_FETCH_TIMEOUT: Duration = Duration::from_millis(3000);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaConfig {
    pub bucket: String,
    pub max_bytes: u64,
    /// The webhook's bound on fetching before it answers.
    pub fetch_timeout: Duration,
}

impl MediaConfig {
    /// `None` without `MEDIA_BUCKET`.
    pub fn load(env: &Env) -> Result<Option<Self>, ConfigError> {
        let Some(bucket) = env.optional(MEDIA_BUCKET) else {
            return Ok(None);
        };
        let invalid = |name: &str, reason: &str| ConfigError::Invalid {
            name: name.to_owned(),
            reason: reason.to_owned(),
        };
        let max_bytes = env.parse_optional(MEDIA_MAX_BYTES, DEFAULT_MAX_BYTES)?;
        if max_bytes == 0 {
            return Err(invalid(MEDIA_MAX_BYTES, "at least 1"));
        }
        let timeout_ms =
            env.parse_optional(MEDIA_FETCH_TIMEOUT_MS, DEFAULT_FETCH_TIMEOUT.as_millis() as u64)?;
        // The webhook answers within its 15 s Lambda timeout, the rest of
        // the delivery included.
        if timeout_ms > 10_000 {
            return Err(invalid(MEDIA_FETCH_TIMEOUT_MS, "at most 10000"));
        }
        Ok(Some(Self {
            bucket,
            max_bytes,
            fetch_timeout: Duration::from_millis(timeout_ms),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_without_a_bucket_and_defaults_with_one() {
        assert_eq!(
            MediaConfig::load(&Env::from_pairs([(MEDIA_MAX_BYTES, "5")])).unwrap(),
            None
        );
        let c = MediaConfig::load(&Env::from_pairs([(MEDIA_BUCKET, "b")]))
            .unwrap()
            .unwrap();
        assert_eq!(c.max_bytes, DEFAULT_MAX_BYTES);
        assert_eq!(c.fetch_timeout, DEFAULT_FETCH_TIMEOUT);
        let c = MediaConfig::load(&Env::from_pairs([
            (MEDIA_BUCKET, "b"),
            (MEDIA_MAX_BYTES, "1000"),
            (MEDIA_FETCH_TIMEOUT_MS, "0"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!((c.max_bytes, c.fetch_timeout), (1000, Duration::ZERO));
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (name, value) in [
            (MEDIA_MAX_BYTES, "0"),
            (MEDIA_MAX_BYTES, "16MB"),
            (MEDIA_FETCH_TIMEOUT_MS, "-1"),
            (MEDIA_FETCH_TIMEOUT_MS, "60000"),
        ] {
            let err = MediaConfig::load(&Env::from_pairs([(MEDIA_BUCKET, "b"), (name, value)])).unwrap_err();
            assert!(err.to_string().starts_with(name), "{err}");
        }
    }
}
