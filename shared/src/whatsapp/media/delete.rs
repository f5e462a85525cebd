//! Deleting Twilio's copy of a citizen's file once it is kept in our bucket.
//! Twilio keeps received media, at a permanent `MediaUrl`, until the Media
//! resource is deleted:
//! `DELETE /2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{Sid}.json`
//! with the account's basic auth. (Meta's copies expire on their own.)

use super::MediaDownloader;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeleteError {
    #[error("Twilio refused the deletion (HTTP {status})")]
    Refused { status: u16 },
    #[error("Twilio could not be reached: {0}")]
    Unreachable(String),
    #[error("this deployment has no Twilio credentials")]
    NotConfigured,
    #[error("not a media URL of this deployment's Twilio account")]
    NotOurMedia,
}

impl MediaDownloader {
    /// Deletes the Media resource behind a `MediaUrl`; one already gone
    /// (404) counts as deleted.
    pub async fn delete_twilio(&self, url: &str) -> Result<(), DeleteError> {
        let account = self.creds.twilio.as_ref().ok_or(DeleteError::NotConfigured)?;
        let resource = media_resource(&self.creds.twilio_base, &account.account_sid, url)
            .ok_or(DeleteError::NotOurMedia)?;
        let response = self
            .http
            .delete(resource)
            .basic_auth(&account.account_sid, Some(&account.auth_token))
            .send()
            .await
            .map_err(|e| DeleteError::Unreachable(e.without_url().to_string()))?;
        match response.status().as_u16() {
            200..=299 | 404 => Ok(()),
            status => Err(DeleteError::Refused { status }),
        }
    }
}

/// The Media resource of a `MediaUrl` of `account` under `base`; any other
/// URL gets neither the credentials nor a DELETE.
fn media_resource(base: &str, account: &str, url: &str) -> Option<String> {
    let path = url.strip_prefix(base)?.strip_prefix('/')?;
    let segments: Vec<&str> = path.split('/').collect();
    let ["2010-04-01", "Accounts", owner, "Messages", message, "Media", media] = segments[..] else {
        return None;
    };
    let sid = |s: &str| !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric());
    (owner == account && sid(message) && sid(media))
        .then(|| format!("{base}/2010-04-01/Accounts/{account}/Messages/{message}/Media/{media}.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://api.twilio.com";
    const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";

    #[test]
    fn only_our_accounts_media_urls_name_a_resource_to_delete() {
        let url = format!("{BASE}/2010-04-01/Accounts/{ACCOUNT}/Messages/MM0001/Media/ME0123");
        assert_eq!(
            media_resource(BASE, ACCOUNT, &url).as_deref(),
            Some(format!("{url}.json").as_str())
        );
        for other in [
            format!("{BASE}/2010-04-01/Accounts/ACother/Messages/MM0001/Media/ME0123"),
            format!("https://api.twilio.com.evil.example/2010-04-01/Accounts/{ACCOUNT}/Messages/MM0001/Media/ME0123"),
            format!("{BASE}/2010-04-01/Accounts/{ACCOUNT}/Messages/MM0001/Media/ME0123?x=1"),
            format!("{BASE}/2010-04-01/Accounts/{ACCOUNT}/Messages/MM0001/Media/ME0123/extra"),
            format!("{BASE}/2010-04-01/Accounts/{ACCOUNT}/Messages/../Media/ME0123"),
            format!("{BASE}/2010-04-01/Accounts/{ACCOUNT}/Messages/MM0001"),
        ] {
            assert_eq!(media_resource(BASE, ACCOUNT, &other), None, "{other}");
        }
    }
}
