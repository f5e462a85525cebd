//! Keeping citizens' files: each photo, video, voice note or document a
//! citizen sends is fetched from the provider (whose copy expires) into the
//! media bucket, keyed by case (`cases/<ticket>/<event id>-<media id>`), and
//! its message event on the timeline says what became of it.
//!
//! Lambda freezes a sandbox as soon as it answers, so nothing runs "after
//! the reply". The webhook tries once, within `MEDIA_FETCH_TIMEOUT_MS`,
//! before answering ([`MediaArchive::keep_now`]); a file not stored by then
//! is already in the outbox (written with the message itself), and the SLA
//! sweep fetches it ([`MediaArchive::retry_pending`]) with backoff until it
//! is stored or given up. Once a Twilio file is stored and recorded, Twilio's
//! copy is deleted: its `MediaUrl` is permanent.

pub mod erased;

use std::time::Duration as StdDuration;

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::media::MediaConfig;
use crate::domain::case::{CaseId, Provider};
use crate::domain::ticket::Ticket;
use crate::domain::timeline::{EventBody, EventId, MediaStorage, MessageContent, StoredFile, TimelineEvent};
use crate::notify::RetryPolicy;
use crate::store::keys::OUTBOX_MEDIA;
use crate::store::media::{first_attempt, MediaEnd};
use crate::store::{AttemptEnd, OutboxEntry, Store, StoreError};
use crate::whatsapp::media::{DownloadError, MediaDownloader, MediaRef};

/// The bucket: private, written by the webhook and the sweep, read only
/// through short-lived presigned URLs the officials' API hands out.
#[derive(Clone)]
pub struct MediaBucket {
    s3: aws_sdk_s3::Client,
    bucket: String,
}

impl MediaBucket {
    pub fn new(sdk: &aws_config::SdkConfig, bucket: impl Into<String>) -> Self {
        // An endpoint of our own (the local emulator) serves buckets by path,
        // not by host name.
        let config = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(sdk.endpoint_url().is_some())
            .build();
        Self {
            s3: aws_sdk_s3::Client::from_conf(config),
            bucket: bucket.into(),
        }
    }

    pub fn name(&self) -> &str {
        &self.bucket
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>, mime_type: Option<&str>) -> Result<(), String> {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .set_content_type(mime_type.map(str::to_owned))
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| aws_sdk_s3::error::DisplayErrorContext(e).to_string())
    }

    /// Whether the bucket holds `key` (one HeadObject).
    pub async fn has(&self, key: &str) -> Result<bool, String> {
        match self.s3.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(false),
            Err(e) => Err(aws_sdk_s3::error::DisplayErrorContext(e).to_string()),
        }
    }

    /// Deletes every file of the case (its reporter erased their data, or it
    /// closed longer ago than files are kept); none there is no error.
    /// Answers how many were deleted.
    pub async fn delete_case_files(&self, ticket: &Ticket) -> Result<usize, String> {
        let mut deleted = 0;
        loop {
            // A case holds far fewer than the 1,000 keys of a page: the
            // listing is taken again until it comes back empty.
            let listed = self
                .s3
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(case_prefix(ticket))
                .send()
                .await
                .map_err(|e| aws_sdk_s3::error::DisplayErrorContext(e).to_string())?;
            let keys: Vec<ObjectIdentifier> = listed
                .contents()
                .iter()
                .filter_map(|o| o.key())
                .map(|key| {
                    ObjectIdentifier::builder()
                        .key(key)
                        .build()
                        .expect("the key is set")
                })
                .collect();
            if keys.is_empty() {
                return Ok(deleted);
            }
            deleted += keys.len();
            let delete = Delete::builder()
                .set_objects(Some(keys))
                .quiet(true)
                .build()
                .expect("the objects are set");
            self.s3
                .delete_objects()
                .bucket(&self.bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|e| aws_sdk_s3::error::DisplayErrorContext(e).to_string())?;
        }
    }

    /// A URL anyone holding it can GET the object with, for `expires_in`,
    /// answered as `serving` says.
    pub async fn presigned_get(
        &self,
        key: &str,
        serving: &Serving,
        expires_in: StdDuration,
    ) -> Result<String, String> {
        let config = PresigningConfig::expires_in(expires_in).map_err(|e| e.to_string())?;
        let request = self.s3.get_object().bucket(&self.bucket).key(key);
        let request = match serving {
            Serving::Inline => request,
            Serving::Attachment { filename } => request
                .response_content_type(OPAQUE)
                .response_content_disposition(format!("attachment; filename=\"{filename}\"")),
        };
        request
            .presigned(config)
            .await
            .map(|request| request.uri().to_owned())
            .map_err(|e| aws_sdk_s3::error::DisplayErrorContext(e).to_string())
    }
}

/// How a browser gets a citizen's file from the bucket. The type is the
/// provider's word, and a browser runs an HTML or SVG file opened in place
/// as a page of the bucket's origin: only the image, video and audio types
/// below open in place, with their own type; anything else downloads as
/// opaque bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Serving {
    Inline,
    /// `Content-Disposition: attachment` under this name, as `OPAQUE`.
    Attachment {
        filename: String,
    },
}

/// What files that are not shown in place are served as.
pub const OPAQUE: &str = "application/octet-stream";

/// Shown in place: the image, video and audio types WhatsApp carries (SVG is
/// not among them: it is a document that can hold script).
const INLINE_TYPES: [&str; 12] = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "video/mp4",
    "video/3gpp",
    "audio/aac",
    "audio/amr",
    "audio/mpeg",
    "audio/mp4",
    "audio/ogg",
    "audio/opus",
];

/// Documents officials open with a program of their own: the download keeps
/// the extension that program needs.
const DOCUMENT_EXTENSIONS: [(&str, &str); 8] = [
    ("application/pdf", "pdf"),
    ("application/msword", "doc"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    ("application/vnd.ms-excel", "xls"),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    ("application/vnd.ms-powerpoint", "ppt"),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    ("text/plain", "txt"),
];

impl Serving {
    /// For a file of `mime_type` (its parameters ignored), downloaded as
    /// `name` (kept to letters, digits, `-` and `_`) if not shown in place.
    pub fn of(mime_type: Option<&str>, name: &str) -> Self {
        let essence = mime_type
            .and_then(|m| m.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if INLINE_TYPES.contains(&essence.as_str()) {
            return Serving::Inline;
        }
        let mut filename: String = name
            .chars()
            .take(100)
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if let Some((_, extension)) = DOCUMENT_EXTENSIONS.iter().find(|(m, _)| *m == essence) {
            filename = format!("{filename}.{extension}");
        }
        Serving::Attachment { filename }
    }
}

/// One file to fetch: which message of which case, from where.
#[derive(Debug, Clone, PartialEq)]
pub struct MediaJob {
    pub case_id: CaseId,
    pub ticket: Ticket,
    pub provider: Provider,
    pub event: TimelineEvent,
    pub media_id: String,
    pub url: Option<String>,
    pub mime_type: Option<String>,
}

impl MediaJob {
    /// The job for `event` if it is a citizen's media message whose file is pending.
    pub fn of(case_id: &CaseId, ticket: &Ticket, provider: Provider, event: &TimelineEvent) -> Option<Self> {
        let EventBody::Message {
            content:
                MessageContent::Media {
                    media_id,
                    url,
                    mime_type,
                    ..
                },
            stored: Some(MediaStorage::Pending),
            ..
        } = &event.body
        else {
            return None;
        };
        Some(Self {
            case_id: case_id.clone(),
            ticket: ticket.clone(),
            provider,
            event: event.clone(),
            media_id: media_id.clone(),
            url: url.clone(),
            mime_type: mime_type.clone(),
        })
    }

    /// The object key: by case, then the event (unique), then the media id
    /// (readable; only safe characters kept).
    pub fn key(&self) -> String {
        object_key(&self.ticket, &self.event.id, &self.media_id)
    }
}

/// Where a case's files are: every key of [`object_key`] starts with it.
pub fn case_prefix(ticket: &Ticket) -> String {
    format!("cases/{ticket}/")
}

pub fn object_key(ticket: &Ticket, event: &EventId, media_id: &str) -> String {
    let safe: String = media_id
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{}{}-{safe}", case_prefix(ticket), event.as_str())
}

/// Why a file was not stored on this attempt.
#[derive(Debug, thiserror::Error)]
pub enum KeepError {
    #[error(transparent)]
    Download(#[from] DownloadError),
    #[error("the media bucket could not be written: {0}")]
    Bucket(String),
    #[error("not fetched within {0:?}")]
    TimedOut(StdDuration),
}

/// What one attempt at a file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    Stored,
    TooLarge,
    /// Not stored now: the sweep tries again.
    Pending,
    /// Given up (the sweep's last attempt, or an error that will not get better).
    Failed,
    /// Someone else (an overlapping sweep) had it.
    Skipped,
}

/// What the sweep's retry of pending files did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MediaRetrySummary {
    pub stored: usize,
    pub too_large: usize,
    pub rescheduled: usize,
    pub failed: usize,
    pub skipped: usize,
    pub errors: usize,
}

/// Fetches citizens' files into the bucket and records the outcome through
/// the store each call is given.
#[derive(Clone)]
pub struct MediaArchive {
    bucket: MediaBucket,
    downloader: MediaDownloader,
    max_bytes: u64,
    fetch_timeout: StdDuration,
    retry: RetryPolicy,
}

/// How long deleting Twilio's copy of a stored file may take: one small
/// request, and the webhook must still answer Twilio in time.
pub const DELETE_TIMEOUT: StdDuration = StdDuration::from_secs(2);

/// What one file may take the sweep at worst (the downloader's own timeout,
/// then [`DELETE_TIMEOUT`]): the sweep takes no more files than its budget
/// allows.
pub const SWEEP_FETCH_WORST: StdDuration = StdDuration::from_secs(62);

impl MediaArchive {
    pub fn bucket(&self) -> &MediaBucket {
        &self.bucket
    }

    pub fn new(config: &MediaConfig, sdk: &aws_config::SdkConfig, downloader: MediaDownloader) -> Self {
        Self {
            bucket: MediaBucket::new(sdk, &config.bucket),
            downloader,
            max_bytes: config.max_bytes,
            fetch_timeout: config.fetch_timeout,
            retry: RetryPolicy::default(),
        }
    }

    /// The webhook's one attempt, before `deadline` (it shares one bound
    /// among the files of a delivery; deleting Twilio's copies may take
    /// [`DELETE_TIMEOUT`] beyond it). Never fails: what is not stored now
    /// stays pending for the sweep.
    pub async fn keep_now(&self, store: &Store, job: &MediaJob, deadline: tokio::time::Instant) -> Kept {
        let owned = first_attempt(&job.case_id, &job.event);
        let budget = deadline.saturating_duration_since(tokio::time::Instant::now());
        let attempt = match tokio::time::timeout_at(deadline, self.fetch(job)).await {
            Ok(result) => result,
            Err(_) => Err(KeepError::TimedOut(budget)),
        };
        let end = match attempt {
            Ok(file) => MediaEnd::Stored(file),
            Err(KeepError::Download(e @ DownloadError::TooLarge { .. })) => MediaEnd::TooLarge(e.to_string()),
            Err(error) => {
                tracing::warn!(case = %job.case_id, %error, "file not fetched now: left for the sweep");
                return Kept::Pending;
            }
        };
        let kept = kept_of(&end);
        match store.finish_media(&owned, end).await {
            Ok(true) => {
                if kept == Kept::Stored {
                    self.delete_provider_copy(job, deadline + DELETE_TIMEOUT).await;
                }
                kept
            }
            Ok(false) => Kept::Skipped,
            Err(error) => {
                // Stored in the bucket but not recorded: the sweep fetches it again.
                tracing::error!(case = %job.case_id, %error, "file outcome not recorded");
                Kept::Pending
            }
        }
    }

    /// The sweep: pending files due by `now`, at most `limit`, each claimed
    /// before it is fetched, so overlapping sweeps never fetch one twice.
    pub async fn retry_pending(
        &self,
        store: &Store,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<MediaRetrySummary, StoreError> {
        let mut summary = MediaRetrySummary::default();
        if limit == 0 {
            return Ok(summary);
        }
        for entry in store.outbox_due_of(OUTBOX_MEDIA, now, limit).await? {
            match self.retry_entry(store, &entry, now).await {
                Ok(Kept::Stored) => summary.stored += 1,
                Ok(Kept::TooLarge) => summary.too_large += 1,
                Ok(Kept::Pending) => summary.rescheduled += 1,
                Ok(Kept::Failed) => summary.failed += 1,
                Ok(Kept::Skipped) => summary.skipped += 1,
                Err(error) => {
                    tracing::error!(case = %entry.case_id, %error, "pending file not retried");
                    summary.errors += 1;
                }
            }
        }
        Ok(summary)
    }

    async fn retry_entry(
        &self,
        store: &Store,
        entry: &OutboxEntry,
        now: DateTime<Utc>,
    ) -> Result<Kept, StoreError> {
        let Some(claimed) = store.claim_entry(entry, now + self.retry.lease).await? else {
            return Ok(Kept::Skipped);
        };
        let case = store.case(&claimed.case_id).await?;
        let event = store.timeline_event(&claimed.case_id, &claimed.event_id).await?;
        let job = case
            .zip(event)
            .and_then(|(case, event)| MediaJob::of(&case.id, &case.ticket, case.channel.provider, &event));
        let end = match &job {
            None => MediaEnd::Failed("not a pending media message".into()),
            Some(job) => match self.fetch(job).await {
                Ok(file) => MediaEnd::Stored(file),
                Err(KeepError::Download(e @ DownloadError::TooLarge { .. })) => {
                    MediaEnd::TooLarge(e.to_string())
                }
                Err(error) => {
                    let retryable = match &error {
                        KeepError::Download(e) => e.is_retryable(),
                        KeepError::Bucket(_) | KeepError::TimedOut(_) => true,
                    };
                    if retryable && claimed.attempts < self.retry.max_attempts {
                        let at = self.retry.next_attempt(claimed.attempts, now);
                        let owned = store
                            .finish_attempt(&claimed, AttemptEnd::RetryAt(at, error.to_string()))
                            .await?;
                        return Ok(if owned { Kept::Pending } else { Kept::Skipped });
                    }
                    MediaEnd::Failed(error.to_string())
                }
            },
        };
        let kept = kept_of(&end);
        if !store.finish_media(&claimed, end).await? {
            return Ok(Kept::Skipped);
        }
        if let (Kept::Stored, Some(job)) = (kept, &job) {
            let deadline = tokio::time::Instant::now() + DELETE_TIMEOUT;
            self.delete_provider_copy(job, deadline).await;
        }
        Ok(kept)
    }

    /// Deletes Twilio's copy of a file now stored and recorded (never
    /// before: a file stored but not recorded is fetched again). A failure
    /// is logged and nothing retries it: the file stays at Twilio, behind the
    /// account's HTTP auth on media (docs/deploying.md), and the archive
    /// stands.
    async fn delete_provider_copy(&self, job: &MediaJob, deadline: tokio::time::Instant) {
        let (Provider::Twilio, Some(url)) = (job.provider, job.url.as_deref()) else {
            return;
        };
        let error = match tokio::time::timeout_at(deadline, self.downloader.delete_twilio(url)).await {
            Ok(Ok(())) => return,
            Ok(Err(error)) => error.to_string(),
            Err(_) => "timed out".to_owned(),
        };
        tracing::warn!(case = %job.case_id, media = %job.media_id, %error, "Twilio's copy of a stored file not deleted");
    }

    /// Downloads the file and puts it in the bucket.
    async fn fetch(&self, job: &MediaJob) -> Result<StoredFile, KeepError> {
        let media = MediaRef {
            provider: job.provider,
            media_id: &job.media_id,
            url: job.url.as_deref(),
        };
        let download = self.downloader.download(&media, self.max_bytes).await?;
        let mime_type = download.mime_type.or_else(|| job.mime_type.clone());
        let bytes = download.bytes.len() as u64;
        let key = job.key();
        self.bucket
            .put(&key, download.bytes, mime_type.as_deref())
            .await
            .map_err(KeepError::Bucket)?;
        Ok(StoredFile {
            key,
            bytes,
            mime_type,
        })
    }

    /// The webhook's bound on fetching before it answers.
    pub fn fetch_timeout(&self) -> StdDuration {
        self.fetch_timeout
    }
}

fn kept_of(end: &MediaEnd) -> Kept {
    match end {
        MediaEnd::Stored(_) => Kept::Stored,
        MediaEnd::TooLarge(_) => Kept::TooLarge,
        MediaEnd::Failed(_) => Kept::Failed,
    }
}

pub use crate::domain::timeline::find_media;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_images_video_and_audio_are_shown_in_place() {
        for shown in ["image/jpeg", "IMAGE/PNG", "audio/ogg; codecs=opus", "video/mp4"] {
            assert_eq!(
                Serving::of(Some(shown), "ADU-0001-ME1"),
                Serving::Inline,
                "{shown}"
            );
        }
        let download = |mime| match Serving::of(mime, "ADU-0001-ME1") {
            Serving::Attachment { filename } => filename,
            Serving::Inline => panic!("{mime:?} shown in place"),
        };
        for dangerous in [
            Some("image/svg+xml"),
            Some("text/html; charset=utf-8"),
            Some("application/xhtml+xml"),
            Some("text/xml"),
            Some("image/svg"),
            Some("video/../html"),
            Some(""),
            None,
        ] {
            assert_eq!(download(dangerous), "ADU-0001-ME1", "{dangerous:?}");
        }
        assert_eq!(download(Some("application/pdf")), "ADU-0001-ME1.pdf");
        let Serving::Attachment { filename } = Serving::of(None, "ADU-1-a\"b;c/..\r\n") else {
            panic!()
        };
        assert_eq!(filename, "ADU-1-a_b_c_____");
    }
}
