//! Who wrote, as WhatsApp names them: the phone number and the
//! business-scoped user id (BSUID), either of which may be missing.
//!
//! Since April 2026 Meta adds a BSUID (`user_id`, `from_user_id`) to every
//! messages webhook, and withholds the phone number (`wa_id`, `from`) of a
//! user with a username who has not written recently. A BSUID is scoped to
//! one business portfolio; a parent BSUID (`parent_user_id`) is shared by
//! the portfolios of an organisation Meta enrolled. Both are personal data
//! exactly like the number: redacted in `Debug`, no serde, exposed only to
//! hash, seal and send.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::phone::PhoneNumber;
use super::reporter::{ReporterError, ReporterHasher, ReporterId, SenderId};

/// Most alphanumerics after the country code (and `ENT.`), per Meta's
/// "Business-scoped user IDs" page.
const BSUID_MAX_ALNUM: usize = 128;

/// The longest BSUID: a parent's `CC.ENT.` and 128 alphanumerics.
pub const BSUID_MAX_LEN: usize = "CC.ENT.".len() + BSUID_MAX_ALNUM;

/// A business-scoped user id: two uppercase letters (the country code), a
/// period and 1 to 128 ASCII alphanumerics (`ID.1234567890123456`); a
/// parent BSUID has `ENT.` after the period (`ID.ENT.1181579921…`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Bsuid(String);

impl Bsuid {
    pub fn parse(raw: &str) -> Result<Self, ReporterError> {
        let invalid = |reason| ReporterError::InvalidBsuid { reason };
        let (country, rest) = raw
            .split_once('.')
            .ok_or(invalid("no period after the country code"))?;
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid("the country code is not two uppercase letters"));
        }
        let id = rest.strip_prefix("ENT.").unwrap_or(rest);
        if id.is_empty() || id.len() > BSUID_MAX_ALNUM {
            return Err(invalid("the id is not 1 to 128 characters"));
        }
        if !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid("the id is not alphanumeric"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// Shared across an organisation's portfolios (`ENT`).
    pub fn is_parent(&self) -> bool {
        self.0[3..].starts_with("ENT.")
    }

    /// The id itself, to hash, seal or send to. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Every BSUID is a valid sender id (alphanumerics and periods, within the cap).
    fn as_sender(&self) -> SenderId {
        SenderId::parse(&self.0).expect("a BSUID is a sender id")
    }
}

impl fmt::Debug for Bsuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bsuid(***)")
    }
}

/// A sender as one delivery names them: the phone number, the BSUID and the
/// parent BSUID, each optional; the phone or the BSUID is always there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    phone: Option<SenderId>,
    user_id: Option<Bsuid>,
    parent_user_id: Option<Bsuid>,
}

impl Sender {
    pub fn new(
        phone: Option<SenderId>,
        user_id: Option<Bsuid>,
        parent_user_id: Option<Bsuid>,
    ) -> Result<Self, ReporterError> {
        if phone.is_none() && user_id.is_none() {
            return Err(ReporterError::NoSender);
        }
        if user_id.as_ref().is_some_and(Bsuid::is_parent) {
            return Err(ReporterError::InvalidBsuid {
                reason: "a parent BSUID where the user's own belongs",
            });
        }
        if parent_user_id.as_ref().is_some_and(|p| !p.is_parent()) {
            return Err(ReporterError::InvalidBsuid {
                reason: "a parent BSUID without ENT",
            });
        }
        Ok(Self {
            phone,
            user_id,
            parent_user_id,
        })
    }

    /// Known by the number alone (Twilio, and Meta before BSUIDs).
    pub fn phone_number(phone: SenderId) -> Self {
        Self {
            phone: Some(phone),
            user_id: None,
            parent_user_id: None,
        }
    }

    pub fn phone(&self) -> Option<&SenderId> {
        self.phone.as_ref()
    }

    pub fn user_id(&self) -> Option<&Bsuid> {
        self.user_id.as_ref()
    }

    pub fn parent_user_id(&self) -> Option<&Bsuid> {
        self.parent_user_id.as_ref()
    }

    /// Where a message to them goes: the number when known (Meta advises
    /// sending to numbers, so that numbers keep appearing in webhooks), else
    /// the BSUID.
    pub fn recipient(&self) -> Recipient<'_> {
        match (&self.phone, &self.user_id) {
            (Some(phone), _) => Recipient::Phone(phone),
            (None, Some(user)) => Recipient::User(user),
            (None, None) => unreachable!("a sender has the number or the BSUID"),
        }
    }

    /// What is known of the sender once `newer` has written: its ids, and
    /// those it withheld kept from before, except that a new BSUID (one
    /// comes with a new number) drops the old number and parent.
    pub fn updated_by(&self, newer: &Sender) -> Sender {
        let same_user = newer.user_id.is_none() || newer.user_id == self.user_id;
        Sender {
            phone: newer
                .phone
                .clone()
                .or_else(|| self.phone.clone().filter(|_| same_user)),
            user_id: newer.user_id.clone().or_else(|| self.user_id.clone()),
            parent_user_id: newer
                .parent_user_id
                .clone()
                .or_else(|| self.parent_user_id.clone().filter(|_| same_user)),
        }
    }

    /// The form sealed in a contact: the ids separated by spaces. A contact
    /// sealed before BSUIDs holds the number alone, which reads back as is.
    pub(crate) fn sealed_form(&self) -> String {
        let ids = [
            self.phone.as_ref().map(SenderId::expose),
            self.user_id.as_ref().map(Bsuid::expose),
            self.parent_user_id.as_ref().map(Bsuid::expose),
        ];
        ids.into_iter().flatten().collect::<Vec<_>>().join(" ")
    }

    pub(crate) fn from_sealed_form(text: &str) -> Result<Sender, ReporterError> {
        let (mut phone, mut user_id, mut parent_user_id) = (None, None, None);
        for id in text.split(' ') {
            match Bsuid::parse(id) {
                Ok(parent) if parent.is_parent() => parent_user_id = Some(parent),
                Ok(user) => user_id = Some(user),
                Err(_) => phone = Some(SenderId::parse(id)?),
            }
        }
        Sender::new(phone, user_id, parent_user_id)
    }
}

/// The send API's recipient: `to` for a number, `recipient` for a BSUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipient<'a> {
    Phone(&'a SenderId),
    User(&'a Bsuid),
}

/// The pseudonymous keys of a sender's ids: HMACs under the reporter key,
/// like reporter ids, so a record can be found by any of them without
/// holding the ids themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdKeys {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<ReporterId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<ReporterId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<ReporterId>,
}

impl IdKeys {
    pub fn of(sender: &Sender, hasher: &ReporterHasher) -> Self {
        Self {
            phone: sender.phone.as_ref().map(|p| hasher.reporter_id(p)),
            user: sender
                .user_id
                .as_ref()
                .map(|u| hasher.reporter_id(&u.as_sender())),
            parent: sender
                .parent_user_id
                .as_ref()
                .map(|p| hasher.reporter_id(&p.as_sender())),
        }
    }

    /// The key a number registered by an admin is recognised by: the one
    /// its WhatsApp messages carry (`wa_id`, the digits without `+`).
    pub fn of_phone(phone: &PhoneNumber, hasher: &ReporterHasher) -> Self {
        Self {
            phone: Some(hasher.reporter_id(&phone.sender_id())),
            ..Self::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.all().next().is_none()
    }

    /// These keys but `taken` (another reporter's).
    pub fn without(mut self, taken: &[ReporterId]) -> Self {
        for key in [&mut self.phone, &mut self.user, &mut self.parent] {
            if key.as_ref().is_some_and(|k| taken.contains(k)) {
                *key = None;
            }
        }
        self
    }

    /// Each key present: the number's, the BSUID's, the parent's.
    pub fn all(&self) -> impl Iterator<Item = &ReporterId> {
        [&self.phone, &self.user, &self.parent].into_iter().flatten()
    }

    /// The id of a reporter first seen now: the BSUID's key where there is
    /// one (it comes in every Meta delivery), else the number's, as every
    /// reporter's was before BSUIDs.
    pub fn new_reporter_id(&self) -> ReporterId {
        self.user
            .clone()
            .or_else(|| self.phone.clone())
            .expect("a sender has the number or the BSUID")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bsuids_and_parents_as_meta_documents_them() {
        let user = Bsuid::parse("ID.1234567890123456").unwrap();
        assert!(!user.is_parent());
        assert_eq!(user.expose(), "ID.1234567890123456");
        let parent = Bsuid::parse("US.ENT.11815799212886844830").unwrap();
        assert!(parent.is_parent());
        let longest = format!("ID.ENT.{}", "a1".repeat(64));
        assert_eq!(Bsuid::parse(&longest).unwrap().expose().len(), BSUID_MAX_LEN);
        // `ENT` without its period is part of an ordinary id.
        assert!(!Bsuid::parse("ID.ENT123").unwrap().is_parent());
        for bad in [
            "",
            "ID",
            "ID.",
            "id.123",
            "IDN.123",
            "1D.123",
            "ID.12 3",
            "ID.12.3",
            "ID.ENT.",
            "ID.ümlaut",
            "6281234567890",
            &format!("ID.{}", "a".repeat(129)),
        ] {
            assert!(Bsuid::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_sender_has_the_number_or_the_bsuid() {
        let phone = || Some(SenderId::parse("6281234567890").unwrap());
        let user = || Some(Bsuid::parse("ID.1234567890123456").unwrap());
        let parent = || Some(Bsuid::parse("ID.ENT.99").unwrap());
        assert!(Sender::new(phone(), None, None).is_ok());
        assert!(Sender::new(None, user(), parent()).is_ok());
        assert_eq!(Sender::new(None, None, parent()), Err(ReporterError::NoSender));
        assert!(Sender::new(None, parent(), None).is_err());
        assert!(Sender::new(None, user(), user()).is_err());
    }

    fn sender(phone: Option<&str>, user: Option<&str>, parent: Option<&str>) -> Sender {
        Sender::new(
            phone.map(|p| SenderId::parse(p).unwrap()),
            user.map(|u| Bsuid::parse(u).unwrap()),
            parent.map(|p| Bsuid::parse(p).unwrap()),
        )
        .unwrap()
    }

    #[test]
    fn a_withheld_number_is_kept_and_a_new_bsuid_drops_it() {
        let known = sender(Some("628111"), Some("ID.1"), Some("ID.ENT.1"));
        let withheld = sender(None, Some("ID.1"), None);
        assert_eq!(known.updated_by(&withheld), known);
        let changed = sender(None, Some("ID.2"), None);
        assert_eq!(known.updated_by(&changed), changed);
        let by_number = Sender::phone_number(SenderId::parse("628111").unwrap());
        assert_eq!(known.updated_by(&by_number), known);
        let both = sender(Some("628111"), Some("ID.1"), None);
        assert_eq!(by_number.updated_by(&both), both);
    }

    #[test]
    fn the_sealed_form_reads_back_and_so_does_a_number_alone() {
        for s in [
            sender(Some("628111"), Some("ID.1"), Some("ID.ENT.1")),
            sender(None, Some("ID.1"), None),
            sender(Some("628111"), None, None),
        ] {
            assert_eq!(Sender::from_sealed_form(&s.sealed_form()).unwrap(), s);
        }
        assert_eq!(
            Sender::from_sealed_form("6281234567890")
                .unwrap()
                .phone()
                .unwrap()
                .expose(),
            "6281234567890"
        );
        assert!(Sender::from_sealed_form("").is_err());
    }

    #[test]
    fn debug_never_shows_the_ids() {
        let sender = Sender::new(
            Some(SenderId::parse("6281234567890").unwrap()),
            Some(Bsuid::parse("ID.1234567890123456").unwrap()),
            Some(Bsuid::parse("ID.ENT.5550001").unwrap()),
        )
        .unwrap();
        let shown = format!("{sender:?}");
        for id in ["628", "1234567890123456", "5550001"] {
            assert!(!shown.contains(id), "{shown}");
        }
    }
}
