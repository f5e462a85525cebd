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

use super::credentials::{Credentials, TwilioAccount};
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
    #[error("the media URL is not one of the provider's media hosts")]
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
            .ok_or_else(|| DownloadError::Malformed("no url".into()))?;
        // The bearer token goes with this request: only to Meta's media
        // hosts over https (or to the configured Graph API's own origin).
        if !meta_media_url_allowed(url, &self.creds.meta_base) {
            return Err(DownloadError::ForeignUrl);
        }
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

/// The hosts Meta serves WhatsApp media from (`lookaside.fbsbx.com` in its
/// documentation; the others are its CDN's).
const META_MEDIA_HOST_SUFFIXES: [&str; 3] = [".fbsbx.com", ".fbcdn.net", ".whatsapp.net"];

/// Whether a media URL the Graph API returned may receive the access token:
/// https to one of Meta's media hosts, or the same origin as the Graph API
/// base the deployment configured (a local stand-in, in tests).
fn meta_media_url_allowed(url: &str, meta_base: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    let same_origin = reqwest::Url::parse(meta_base).is_ok_and(|base| base.origin() == url.origin());
    let meta_host = url.scheme() == "https"
        && url.host_str().is_some_and(|host| {
            META_MEDIA_HOST_SUFFIXES
                .iter()
                .any(|suffix| host.ends_with(suffix) && host.len() > suffix.len())
        });
    same_origin || meta_host
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_goes_only_to_metas_media_hosts_over_https() {
        let base = "https://graph.facebook.com/v23.0";
        for allowed in [
            "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=123&ext=1&hash=abc",
            "https://scontent.xx.fbcdn.net/v/t1/abc.jpg",
            "https://graph.facebook.com/v23.0/123/bytes",
        ] {
            assert!(meta_media_url_allowed(allowed, base), "{allowed}");
        }
        for refused in [
            "http://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=123",
            "https://evil.example/whatsapp_business/attachments/?mid=123",
            "https://fbsbx.com.evil.example/x",
            "https://evilfbsbx.com/x",
            "file:///etc/passwd",
            "not a url",
        ] {
            assert!(!meta_media_url_allowed(refused, base), "{refused}");
        }
        // A local Graph API stand-in serves its own files.
        assert!(meta_media_url_allowed(
            "http://127.0.0.1:4000/media-bytes/1",
            "http://127.0.0.1:4000/v23.0"
        ));
        assert!(!meta_media_url_allowed(
            "http://127.0.0.1:4001/media-bytes/1",
            "http://127.0.0.1:4000/v23.0"
        ));
    }

    #[tokio::test]
    async fn a_meta_media_url_elsewhere_gets_no_token() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        // A Graph API that answers the media lookup with a foreign URL.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/v23.0", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 2048];
            let _ = socket.read(&mut request).await;
            let body = r#"{"url":"https://evil.example/steal","mime_type":"image/jpeg","file_size":10,"id":"123","messaging_product":"whatsapp"}"#;
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(response.as_bytes()).await.unwrap();
        });
        let downloader = MediaDownloader::new(&base, "token", "https://api.twilio.com", None);
        let media = MediaRef {
            provider: Provider::Meta,
            media_id: "123",
            url: None,
        };
        assert_eq!(
            downloader.download(&media, 100).await,
            Err(DownloadError::ForeignUrl)
        );
    }

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
                content: Default::default(),
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
