//! Where the providers' APIs are and the credentials they take. The send
//! client and the media downloader both hold them, so they live below both.

use std::collections::BTreeMap;

#[derive(Clone)]
pub struct TwilioAccount {
    pub account_sid: String,
    pub auth_token: String,
    /// The Content API templates approved for the account, by the name the
    /// same template has on Meta: outside WhatsApp's 24-hour window Twilio
    /// sends only those.
    pub content: ContentTemplates,
}

/// Template name to Content SID (`HX` and 32 hex digits), parsed from
/// `name=HX…,name=HX…`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContentTemplates(BTreeMap<String, String>);

impl ContentTemplates {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut map = BTreeMap::new();
        for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, sid) = pair
                .split_once('=')
                .map(|(n, s)| (n.trim(), s.trim()))
                .ok_or_else(|| format!("{pair:?} is not name=HX…"))?;
            let is_sid =
                sid.len() == 34 && sid.starts_with("HX") && sid[2..].chars().all(|c| c.is_ascii_hexdigit());
            if name.is_empty() || !is_sid {
                return Err(format!(
                    "{pair:?} is not a template name and a Content SID (HX and 32 hex digits)"
                ));
            }
            if map.insert(name.to_owned(), sid.to_owned()).is_some() {
                return Err(format!("{name} is given twice"));
            }
        }
        Ok(Self(map))
    }

    /// The Content SID of the template `name`, if the account has one.
    pub fn sid(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// The API bases, without a trailing `/`, and the credentials for each.
#[derive(Clone)]
pub(crate) struct Credentials {
    pub(crate) meta_base: String,
    pub(crate) meta_token: String,
    pub(crate) twilio_base: String,
    pub(crate) twilio: Option<TwilioAccount>,
}

impl Credentials {
    pub(crate) fn new(
        meta_base: &str,
        meta_token: &str,
        twilio_base: &str,
        twilio: Option<TwilioAccount>,
    ) -> Self {
        Self {
            meta_base: meta_base.trim_end_matches('/').to_owned(),
            meta_token: meta_token.to_owned(),
            twilio_base: twilio_base.trim_end_matches('/').to_owned(),
            twilio,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_templates_parse_names_and_sids_and_refuse_anything_else() {
        let sid = "HX0123456789abcdef0123456789abcdef";
        let parsed = ContentTemplates::parse(&format!(" aduan_official_notice = {sid} ,")).unwrap();
        assert_eq!(parsed.sid("aduan_official_notice"), Some(sid));
        assert_eq!(parsed.sid("aduan_status_update"), None);
        assert_eq!(ContentTemplates::parse("").unwrap(), ContentTemplates::default());
        for bad in [
            "aduan_official_notice",
            "aduan_official_notice=HX123",
            "aduan_official_notice=SM0123456789abcdef0123456789abcdef",
            &format!("={sid}"),
            &format!("a={sid},a={sid}"),
        ] {
            assert!(ContentTemplates::parse(bad).is_err(), "{bad}");
        }
    }
}
