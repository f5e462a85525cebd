//! An official registered to work the desk from WhatsApp: who they are,
//! where they may act, and whether their number has confirmed it is theirs.
//!
//! Registration is an admin's act (API, console, CLI); the number starts
//! acting only after its first message after registration carried the
//! one-time code the admin was shown. That proves the official holds the
//! phone the admin typed in, not a second factor.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ulid::Ulid;

use super::case::Channel;
use super::identity::IdKeys;
use super::jurisdiction::{JurisdictionPath, Jurisdictions, UnitPath};
use super::phone::PhoneNumber;
use super::reporter::{ContactCipher, ReporterError, ReporterKeys, SealedContact};

/// How long a one-time code is good for: long enough for the admin to pass
/// it on by phone or in person the same day.
pub const CODE_VALID_FOR: Duration = Duration::hours(48);

/// The longest name an official is registered under.
pub const MAX_NAME_CHARS: usize = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads the queue, cases and stats.
    Viewer,
    /// A viewer who may also act: transitions, notes, messages, escalations.
    Officer,
    /// An officer who may also change configuration.
    Admin,
}

impl Role {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "viewer" => Some(Role::Viewer),
            "officer" => Some(Role::Officer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Officer => "officer",
            Role::Admin => "admin",
        }
    }

    pub fn may_act(self) -> bool {
        self >= Role::Officer
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A registration's id: `wa-` and a ULID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OfficialId(String);

const ID_PREFIX: &str = "wa-";

impl OfficialId {
    pub fn new(at: DateTime<Utc>) -> Self {
        let ms = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        Self(format!("{ID_PREFIX}{}", Ulid::from_parts(ms, rand_bits())))
    }

    pub fn parse(raw: &str) -> Result<Self, OfficialError> {
        let ulid = raw.strip_prefix(ID_PREFIX).ok_or(OfficialError::BadId)?;
        Ulid::from_string(ulid).map_err(|_| OfficialError::BadId)?;
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// How the timeline and the audit name an official acting from
    /// WhatsApp (the console's officials are named by their login's `sub`).
    pub fn sub(&self) -> String {
        format!("whatsapp:{}", self.0)
    }
}

impl TryFrom<String> for OfficialId {
    type Error = OfficialError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<OfficialId> for String {
    fn from(id: OfficialId) -> Self {
        id.0
    }
}

impl fmt::Display for OfficialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Randomness from the ULID generator (the operating system's source).
fn rand_bits() -> u128 {
    Ulid::new().random()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfficialError {
    #[error("not an official's id (wa-<ULID>)")]
    BadId,
    #[error("a name is 1 to {MAX_NAME_CHARS} characters")]
    BadName,
}

/// A name as registered: trimmed, 1 to [`MAX_NAME_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OfficialName(String);

impl OfficialName {
    pub fn parse(raw: &str) -> Result<Self, OfficialError> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let chars = name.chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(OfficialError::BadName);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OfficialName {
    type Error = OfficialError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<OfficialName> for String {
    fn from(name: OfficialName) -> Self {
        name.0
    }
}

/// The one-time code the admin is shown, in clear only at registration.
#[derive(Clone, PartialEq, Eq)]
pub struct ConfirmationCode(String);

impl ConfirmationCode {
    /// Six random digits.
    pub fn generate() -> Self {
        Self(format!("{:06}", rand_bits() % 1_000_000))
    }

    /// The code as people type it: the message's digits, when there are
    /// six ("123456", "123 456", "kode saya 123-456").
    pub fn find_in(text: &str) -> Option<Self> {
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        (digits.len() == 6).then_some(Self(digits))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the store keeps: the code hashed with the registration's id, so
    /// a copied hash confirms no other registration.
    fn digest(&self, id: &OfficialId) -> String {
        hex::encode(Sha256::digest(format!("{}:{}", id.as_str(), self.0)))
    }
}

impl fmt::Debug for ConfirmationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ConfirmationCode(***)")
    }
}

/// Whether the number has shown it is the official's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Standing {
    /// Registered; the number's next message must carry the code.
    Awaiting {
        code_digest: String,
        expires_at: DateTime<Utc>,
        /// Wrong codes sent so far: after [`MAX_WRONG_CODES`] the
        /// registration must be made again.
        #[serde(default)]
        wrong: u8,
    },
    Confirmed {
        at: DateTime<Utc>,
        /// The city's number the code came to: the one their morning digest
        /// goes out from (none on registrations confirmed before it was kept).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        through: Option<Channel>,
    },
}

/// Wrong codes a registration tolerates (a million codes, three guesses).
pub const MAX_WRONG_CODES: u8 = 3;

/// An official registered to act from WhatsApp.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    pub id: OfficialId,
    pub name: OfficialName,
    pub scope: JurisdictionPath,
    pub role: Role,
    /// The number the admin registered, sealed bound to the registration.
    pub contact: SealedContact,
    /// The keys (hashed ids) their messages are recognised by: the number's
    /// from registration, the BSUID's once they confirmed.
    pub known_as: IdKeys,
    pub standing: Standing,
    /// Whether notices of cases anywhere below their scope reach them, not
    /// only those at their own tier.
    pub notify_below: bool,
    /// Whether the morning digest of their scope reaches them on WhatsApp
    /// (besides the SNS topic's SMS and email).
    #[serde(default)]
    pub digest_by_whatsapp: bool,
    /// The `sub` of the admin who registered them.
    pub registered_by: String,
    pub registered_at: DateTime<Utc>,
    pub version: u64,
}

/// What an admin may change of a registration in place. Not the number (a
/// new one proves itself with a code: remove and register again) nor the
/// scope (the place is what the registration was made for).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OfficialChange {
    pub name: Option<OfficialName>,
    pub role: Option<Role>,
    pub notify_below: Option<bool>,
    pub digest_by_whatsapp: Option<bool>,
}

impl OfficialChange {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// How a message from a registered number is taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// The right code, in time: the number is the official's from now on.
    Confirmed,
    /// Not the code, or a wrong one: told to send the code (registration
    /// kept, one wrong guess counted when it looked like a code).
    Wrong { guesses_left: u8 },
    /// Too many wrong codes, or too late: an admin must register again.
    Expired,
}

/// Whether an official may be registered at `scope`: a node of the tree,
/// or an RW or RT of one of its kelurahan (an RT's head works its cases).
pub fn is_registrable(tree: &Jurisdictions, scope: &JurisdictionPath) -> bool {
    tree.node(scope).is_some() || UnitPath::of(tree, scope).is_some()
}

/// What an admin registers.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOfficial {
    pub name: OfficialName,
    pub scope: JurisdictionPath,
    pub role: Role,
    pub whatsapp: PhoneNumber,
    pub notify_below: bool,
    pub digest_by_whatsapp: bool,
}

impl Registration {
    /// A new registration and the code to show the admin, once: the number
    /// sealed, the key its messages carry computed.
    pub fn new(
        official: NewOfficial,
        keys: &ReporterKeys,
        registered_by: String,
        now: DateTime<Utc>,
    ) -> (Self, ConfirmationCode) {
        let id = OfficialId::new(now);
        let code = ConfirmationCode::generate();
        let standing = Standing::Awaiting {
            code_digest: code.digest(&id),
            expires_at: now + CODE_VALID_FOR,
            wrong: 0,
        };
        let registration = Self {
            contact: keys.contacts.seal_official(&id, &official.whatsapp),
            known_as: IdKeys::of_phone(&official.whatsapp, &keys.hasher),
            id,
            name: official.name,
            scope: official.scope,
            role: official.role,
            standing,
            notify_below: official.notify_below,
            digest_by_whatsapp: official.digest_by_whatsapp,
            registered_by,
            registered_at: now,
            version: 0,
        };
        (registration, code)
    }

    /// Applies an admin's change: the fields whose value it changed (none:
    /// nothing differs).
    pub fn apply(&mut self, change: &OfficialChange) -> Vec<&'static str> {
        let mut changed = Vec::new();
        if let Some(name) = change.name.as_ref().filter(|n| **n != self.name) {
            self.name = name.clone();
            changed.push("name");
        }
        if let Some(role) = change.role.filter(|r| *r != self.role) {
            self.role = role;
            changed.push("role");
        }
        if let Some(below) = change.notify_below.filter(|b| *b != self.notify_below) {
            self.notify_below = below;
            changed.push("notify_below");
        }
        if let Some(digest) = change
            .digest_by_whatsapp
            .filter(|d| *d != self.digest_by_whatsapp)
        {
            self.digest_by_whatsapp = digest;
            changed.push("digest_by_whatsapp");
        }
        changed
    }

    /// The number to send their notices to.
    pub fn whatsapp(&self, contacts: &ContactCipher) -> Result<PhoneNumber, ReporterError> {
        contacts.open_official(&self.id, &self.contact)
    }

    pub fn is_confirmed(&self) -> bool {
        matches!(self.standing, Standing::Confirmed { .. })
    }

    /// Awaiting a code that can no longer come (too late, or too many wrong
    /// ones): only removing it and registering again helps.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        matches!(self.standing, Standing::Awaiting { expires_at, wrong, .. }
            if now > expires_at || wrong >= MAX_WRONG_CODES)
    }

    /// Whether a message from the registered number is the official's to
    /// answer. An expired registration no longer holds its number: what
    /// looks like a code is told it came too late, anything else is a
    /// citizen's message as from any number (a number registered by
    /// mistake, or one never confirmed, still reaches the desk).
    pub fn answers_for(&self, text: &str, now: DateTime<Utc>) -> bool {
        !self.is_expired(now) || ConfirmationCode::find_in(text).is_some()
    }

    /// Checks a message's text, received `through` one of the city's
    /// numbers, against the code, changing the standing: confirmed (the
    /// sender's ids join the keys they are known by), or one more wrong
    /// guess. A confirmed registration is never checked again.
    pub fn check_code(
        &mut self,
        text: &str,
        sender: &IdKeys,
        through: &Channel,
        now: DateTime<Utc>,
    ) -> CodeCheck {
        if self.is_expired(now) {
            return CodeCheck::Expired;
        }
        let Standing::Awaiting {
            code_digest, wrong, ..
        } = &mut self.standing
        else {
            return CodeCheck::Confirmed;
        };
        match ConfirmationCode::find_in(text) {
            Some(code) if code.digest(&self.id) == *code_digest => {
                self.standing = Standing::Confirmed {
                    at: now,
                    through: Some(through.clone()),
                };
                self.known_as = IdKeys {
                    phone: sender.phone.clone().or(self.known_as.phone.take()),
                    user: sender.user.clone(),
                    parent: sender.parent.clone(),
                };
                CodeCheck::Confirmed
            }
            Some(_) => {
                *wrong += 1;
                match MAX_WRONG_CODES - *wrong {
                    0 => CodeCheck::Expired,
                    left => CodeCheck::Wrong { guesses_left: left },
                }
            }
            None => CodeCheck::Wrong {
                guesses_left: MAX_WRONG_CODES - *wrong,
            },
        }
    }

    /// The number to send `node`'s morning digest from, when it is theirs
    /// to receive on WhatsApp: confirmed, registered at `node` itself, and
    /// asked for it.
    pub fn whatsapp_digest_of(&self, node: &JurisdictionPath) -> Option<&Channel> {
        match &self.standing {
            Standing::Confirmed { through, .. } if self.digest_by_whatsapp && self.scope == *node => {
                through.as_ref()
            }
            _ => None,
        }
    }

    /// Whether a case held at `holder` is theirs to be told about: at their
    /// own tier, or anywhere below it when they asked for that.
    pub fn is_told_of(&self, holder: &JurisdictionPath) -> bool {
        self.is_confirmed() && (*holder == self.scope || (self.notify_below && holder.is_within(&self.scope)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reporter::{Key32, ReporterHasher, ReporterId};

    fn key(c: char) -> ReporterId {
        ReporterId::parse(&c.to_string().repeat(64)).unwrap()
    }

    fn keys() -> ReporterKeys {
        ReporterKeys {
            hasher: ReporterHasher::new(Key32::from_bytes([7; 32])),
            contacts: ContactCipher::new(Key32::from_bytes([9; 32]), []),
        }
    }

    fn channel() -> Channel {
        Channel {
            provider: crate::domain::case::Provider::Meta,
            number_id: "111".into(),
        }
    }

    fn registration(now: DateTime<Utc>) -> (Registration, ConfirmationCode) {
        let official = NewOfficial {
            name: OfficialName::parse("  Pak   Amir ").unwrap(),
            scope: JurisdictionPath::parse("bukittinggi/mandiangin-koto-selayan/campago-ipuh/rw-04").unwrap(),
            role: Role::Officer,
            whatsapp: PhoneNumber::parse("0812 3456 7890").unwrap(),
            notify_below: false,
            digest_by_whatsapp: false,
        };
        Registration::new(official, &keys(), "admin-1".into(), now)
    }

    #[test]
    fn the_code_confirms_once_and_links_the_senders_bsuid() {
        let now = Utc::now();
        let (mut r, code) = registration(now);
        assert_eq!(r.name.as_str(), "Pak Amir");
        assert!(r.id.as_str().starts_with("wa-"));
        assert_eq!(code.expose().len(), 6);
        assert_eq!(r.whatsapp(&keys().contacts).unwrap().as_str(), "+6281234567890");
        let phone = r.known_as.phone.clone().unwrap();
        let sender = IdKeys {
            phone: Some(phone.clone()),
            user: Some(key('b')),
            parent: None,
        };
        // A greeting is not a guess.
        assert_eq!(
            r.check_code("slmt pagi pak", &sender, &channel(), now),
            CodeCheck::Wrong { guesses_left: 3 }
        );
        let typed = format!("kode saya {} {}", &code.expose()[..3], &code.expose()[3..]);
        assert_eq!(
            r.check_code(&typed, &sender, &channel(), now),
            CodeCheck::Confirmed
        );
        assert!(r.is_confirmed());
        assert_eq!(r.known_as.user, Some(key('b')));
        assert_eq!(r.known_as.phone, Some(phone));
    }

    #[test]
    fn wrong_codes_and_late_codes_end_the_registration() {
        let now = Utc::now();
        let (mut r, code) = registration(now);
        let other = if code.expose() == "000000" {
            "111111"
        } else {
            "000000"
        };
        let sender = IdKeys::default();
        assert_eq!(
            r.check_code(other, &sender, &channel(), now),
            CodeCheck::Wrong { guesses_left: 2 }
        );
        assert_eq!(
            r.check_code(other, &sender, &channel(), now),
            CodeCheck::Wrong { guesses_left: 1 }
        );
        assert_eq!(r.check_code(other, &sender, &channel(), now), CodeCheck::Expired);
        // Even the right code, now.
        assert_eq!(
            r.check_code(code.expose(), &sender, &channel(), now),
            CodeCheck::Expired
        );
        assert!(r.is_expired(now));

        let (mut late, code) = registration(now);
        assert!(!late.is_expired(now));
        assert!(late.is_expired(now + CODE_VALID_FOR + Duration::minutes(1)));
        assert_eq!(
            late.check_code(
                code.expose(),
                &sender,
                &channel(),
                now + CODE_VALID_FOR + Duration::minutes(1)
            ),
            CodeCheck::Expired
        );
    }

    #[test]
    fn a_change_touches_only_what_it_names_and_says_whether_anything_changed() {
        let now = Utc::now();
        let (mut r, _) = registration(now);
        let before = r.clone();
        assert!(r.apply(&OfficialChange::default()).is_empty());
        let same = OfficialChange {
            role: Some(before.role),
            ..Default::default()
        };
        assert!(r.apply(&same).is_empty());
        let change = OfficialChange {
            digest_by_whatsapp: Some(true),
            notify_below: Some(true),
            ..Default::default()
        };
        assert!(!r.apply(&change).is_empty());
        assert!(r.digest_by_whatsapp && r.notify_below);
        assert_eq!(
            (&r.name, r.role, &r.scope, &r.contact),
            (&before.name, before.role, &before.scope, &before.contact)
        );
    }

    #[test]
    fn an_expired_registration_answers_only_what_looks_like_a_code() {
        let now = Utc::now();
        let (r, code) = registration(now);
        let greeting = "Assalamualaikum pak, jalan di depan rumah sy berlubang";
        assert!(r.answers_for(greeting, now), "in time, the code is asked for");
        let late = now + CODE_VALID_FOR + Duration::minutes(1);
        assert!(!r.answers_for(greeting, late), "a citizen's message once expired");
        assert!(
            r.answers_for(&format!("kode {}", code.expose()), late),
            "told it is too late"
        );
        let mut guessed = r.clone();
        for _ in 0..MAX_WRONG_CODES {
            guessed.check_code("000000", &IdKeys::default(), &channel(), now);
        }
        assert!(!guessed.answers_for(greeting, now));
    }

    #[test]
    fn notices_reach_an_officials_own_tier_unless_they_asked_for_more() {
        let now = Utc::now();
        let (mut r, code) = registration(now);
        let rw = r.scope.clone();
        let rt = JurisdictionPath::parse(&format!("{rw}/rt-02")).unwrap();
        assert!(!r.is_told_of(&rw), "not before confirming");
        r.check_code(code.expose(), &IdKeys::default(), &channel(), now);
        assert!(r.is_told_of(&rw));
        assert!(!r.is_told_of(&rt));
        r.notify_below = true;
        assert!(r.is_told_of(&rt));
        assert!(!r.is_told_of(&JurisdictionPath::parse("bukittinggi").unwrap()));
    }

    #[test]
    fn the_whatsapp_digest_goes_from_the_number_they_confirmed_through() {
        let now = Utc::now();
        let (mut r, code) = registration(now);
        let rw = r.scope.clone();
        r.digest_by_whatsapp = true;
        assert_eq!(r.whatsapp_digest_of(&rw), None, "not before confirming");
        r.check_code(code.expose(), &IdKeys::default(), &channel(), now);
        assert_eq!(r.whatsapp_digest_of(&rw), Some(&channel()));
        // Only their own node's digest, even with notify_below.
        r.notify_below = true;
        let kelurahan = JurisdictionPath::parse("bukittinggi/mandiangin-koto-selayan/campago-ipuh").unwrap();
        assert_eq!(r.whatsapp_digest_of(&kelurahan), None);
        r.digest_by_whatsapp = false;
        assert_eq!(r.whatsapp_digest_of(&rw), None);
        // A registration confirmed before the number was kept reads back
        // without one.
        let old: Standing = serde_json::from_value(serde_json::json!({
            "state": "confirmed", "at": "2026-11-01T00:00:00Z"
        }))
        .unwrap();
        assert!(matches!(old, Standing::Confirmed { through: None, .. }));
    }

    #[test]
    fn ids_and_names_parse() {
        let id = OfficialId::new(Utc::now());
        assert_eq!(OfficialId::parse(id.as_str()).unwrap(), id);
        assert!(OfficialId::parse("wa-nope").is_err());
        assert!(OfficialId::parse(&id.as_str()[3..]).is_err());
        assert!(OfficialName::parse("   ").is_err());
        assert!(OfficialName::parse(&"a".repeat(81)).is_err());
        assert_eq!(
            format!("{:?}", ConfirmationCode::generate()),
            "ConfirmationCode(***)"
        );
    }
}
