//! Downloading citizens' files from the provider, with the deployment's
//! credentials, never more than a size limit:
//! - Meta: `GET {base}/{media-id}` (bearer token) gives a short-lived URL
//!   and the size; `GET <url>` (bearer token again) gives the bytes.
//! - Twilio: `GET MediaUrl{N}` with basic auth (account SID, auth token);
//!   only URLs under the configured Twilio API base get the credentials.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

use super::client::{Credentials, TwilioAccount};
use crate::domain::case::Provider;

pub mod delete;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DownloadError {
    #[error("the file is {bytes} bytes, more than the limit of {max}")]
    TooLarge { bytes: u64, max: u64 },
    #[error("the provider refused the download (HTTP {status})")]
    Refused { status: u16 },
    #[error("the provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the provider's answer was not understood: {0}")]
    Malformed(String),
    #[error("this deployment has no credentials for {0}")]
    NotConfigured(&'static str),
    #[error("the media URL is not one of the provider's API")]
    ForeignUrl,
}

impl DownloadError {
    /// Whether trying again later may succeed: a file that is gone (404), too
    /// large, or at a URL we will not send credentials to stays that way.
    pub fn is_retryable(&self) -> bool {
        match self {
            DownloadError::Refused { status } => !matches!(status, 400 | 404 | 410),
            DownloadError::TooLarge { .. } | DownloadError::ForeignUrl => false,
            DownloadError::Unreachable(_) | DownloadError::Malformed(_) | DownloadError::NotConfigured(_) => {
                true
            }
        }
    }
}

/// A downloaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub bytes: Vec<u8>,
    pub mime_type: Option<String>,
}

/// Where a file is: the provider, its media id, and Twilio's URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRef<'a> {
    pub provider: Provider,
    pub media_id: &'a str,
    pub url: Option<&'a str>,
}

#[derive(Clone)]
pub struct MediaDownloader {
    http: reqwest::Client,
    creds: Credentials,
}

impl MediaDownloader {
    /// A file of the size limit takes seconds, not the send API's few: the
    /// callers bound each download themselves (the webhook tightly).
    pub fn new(meta_base: &str, meta_token: &str, twilio_base: &str, twilio: Option<TwilioAccount>) -> Self {
        Self::with(Credentials::new(meta_base, meta_token, twilio_base, twilio))
    }

    pub(crate) fn with(creds: Credentials) -> Self {
        let http = super::http::https_client(Duration::from_secs(3), Duration::from_secs(60));
        Self { http, creds }
    }

    pub async fn download(&self, media: &MediaRef<'_>, max_bytes: u64) -> Result<Download, DownloadError> {
        match media.provider {
            Provider::Meta => self.download_meta(media.media_id, max_bytes).await,
            Provider::Twilio => self.download_twilio(media.url, max_bytes).await,
        }
    }

    async fn download_meta(&self, media_id: &str, max_bytes: u64) -> Result<Download, DownloadError> {
        if self.creds.meta_token.is_empty() {
            return Err(DownloadError::NotConfigured("the WhatsApp Cloud API"));
        }
        if media_id.is_empty()
            || !media_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(DownloadError::Malformed("not a media id".into()));
        }
        let response = self
            .http
            .get(format!("{}/{media_id}", self.creds.meta_base))
            .bearer_auth(&self.creds.meta_token)
            .send()
            .await
            .map_err(unreachable)?;
        if !response.status().is_success() {
            return Err(DownloadError::Refused {
                status: response.status().as_u16(),
            });
        }
        let info: Value = response
            .json()
            .await
            .map_err(|e| DownloadError::Malformed(e.without_url().to_string()))?;
        if let Some(bytes) = info.get("file_size").and_then(Value::as_u64) {
            if bytes > max_bytes {
                return Err(DownloadError::TooLarge {
                    bytes,
                    max: max_bytes,
                });
            }
        }
        let url = info
            .get("url")
            .and_then(Value::as_str)
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .ok_or_else(|| DownloadError::Malformed("no url".into()))?;
        let mime_type = info.get("mime_type").and_then(Value::as_str).map(str::to_owned);
        let request = self.http.get(url).bearer_auth(&self.creds.meta_token);
        let mut download = fetch_bounded(request, max_bytes).await?;
        download.mime_type = mime_type.or(download.mime_type);
        Ok(download)
    }

    async fn download_twilio(&self, url: Option<&str>, max_bytes: u64) -> Result<Download, DownloadError> {
        let account = self
            .creds
            .twilio
            .as_ref()
            .ok_or(DownloadError::NotConfigured("Twilio"))?;
        let url = url.ok_or_else(|| DownloadError::Malformed("no media URL".into()))?;
        if !url.starts_with(&format!("{}/", self.creds.twilio_base)) {
            return Err(DownloadError::ForeignUrl);
        }
        let auth = STANDARD.encode(format!("{}:{}", account.account_sid, account.auth_token));
        // Twilio answers with a redirect to the file's storage; reqwest drops
        // the Authorization header when the redirect leaves the host.
        let request = self
            .http
            .get(url)
            .header("Authorization", format!("Basic {auth}"));
        fetch_bounded(request, max_bytes).await
    }
}

/// The body of a GET, refused as soon as it is known to exceed `max_bytes`
/// (from Content-Length, else while reading).
async fn fetch_bounded(request: reqwest::RequestBuilder, max_bytes: u64) -> Result<Download, DownloadError> {
    let mut response = request.send().await.map_err(unreachable)?;
    if !response.status().is_success() {
        return Err(DownloadError::Refused {
            status: response.status().as_u16(),
        });
    }
    if let Some(bytes) = response.content_length().filter(|n| *n > max_bytes) {
        return Err(DownloadError::TooLarge {
            bytes,
            max: max_bytes,
        });
    }
    let mime_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() as u64 > max_bytes {
            return Err(DownloadError::TooLarge {
                bytes: bytes.len() as u64,
                max: max_bytes,
            });
        }
    }
    Ok(Download { bytes, mime_type })
}

/// reqwest's errors include the URL, which for Meta's media is a bearer of
/// access on its own: keep the message about the failure only.
fn unreachable(error: reqwest::Error) -> DownloadError {
    DownloadError::Unreachable(error.without_url().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_failures_are_worth_retrying() {
        assert!(DownloadError::Refused { status: 503 }.is_retryable());
        assert!(DownloadError::Refused { status: 401 }.is_retryable());
        assert!(!DownloadError::Refused { status: 404 }.is_retryable());
        assert!(!DownloadError::TooLarge { bytes: 2, max: 1 }.is_retryable());
        assert!(!DownloadError::ForeignUrl.is_retryable());
        assert!(DownloadError::Unreachable("timeout".into()).is_retryable());
    }

    #[tokio::test]
    async fn twilio_credentials_go_only_to_twilio() {
        let downloader = MediaDownloader::new(
            "http://127.0.0.1:9/v23.0",
            "token",
            "https://api.twilio.com",
            Some(TwilioAccount {
                account_sid: "AC1".into(),
                auth_token: "secret".into(),
            }),
        );
        let media = |url| MediaRef {
            provider: Provider::Twilio,
            media_id: "ME1",
            url: Some(url),
        };
        for foreign in [
            "https://evil.example/2010-04-01/Media/ME1",
            "https://api.twilio.com.evil.example/Media/ME1",
        ] {
            assert_eq!(
                downloader.download(&media(foreign), 10).await,
                Err(DownloadError::ForeignUrl)
            );
        }
    }
}
