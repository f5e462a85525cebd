//! Reporter confidentiality: who sent a complaint is known to the desk only
//! as a pseudonym, and the contact needed to reply is kept sealed.
//!
//! - [`SenderId`] is the sender's WhatsApp id as the provider gives it. It is
//!   personal data: its `Debug` and `Display` print `SenderId(***)`, it has no
//!   serde, and [`SenderId::expose`] is for the one place that sends a message.
//! - [`ReporterId`] is the pseudonym: HMAC-SHA256 of the sender id under
//!   `REPORTER_HMAC_KEY`. It is the key of the reporter's record, and what a
//!   case carries. Officials see its short form, [`ReporterId::pseudonym`].
//! - [`SealedContact`] is the sender's ids ([`Sender`]: the number, the
//!   BSUID, or both) encrypted with AES-256-GCM under
//!   `CONTACT_ENCRYPTION_KEY`, tagged with the key's id so the key can be
//!   rotated while old records stay readable ([`ContactCipher`]), and bound
//!   to its reporter's id so it opens for that reporter only.
//!
//! The HMAC key is separate from the encryption key and never rotates:
//! reporter ids must stay the same for a reporter's whole history.
//!
//! No type here that can leave the store toward officials carries the
//! number: [`ReporterId`] is a one-way keyed hash, [`SealedContact`] is
//! ciphertext, and the only way back to a [`SenderId`] is
//! [`ContactCipher::open`], which needs the key.

use std::fmt;

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::{DecodeError, Engine};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::identity::Sender;
use super::jurisdiction::UnitPath;
use super::official::OfficialId;
use super::phone::PhoneNumber;

/// Everything that can go wrong here. No message ever contains a sender id,
/// a key, or key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReporterError {
    #[error("not a WhatsApp sender id: {reason}")]
    InvalidSender { reason: &'static str },
    #[error("not a business-scoped user id: {reason}")]
    InvalidBsuid { reason: &'static str },
    #[error("neither a phone number nor a business-scoped user id")]
    NoSender,
    #[error("not a reporter id: expected 64 lowercase hex characters")]
    InvalidReporterId,
    #[error("key is not valid standard base64: {reason}")]
    KeyBase64 { reason: String },
    #[error("key must be 32 bytes (the base64 of 32 random bytes, e.g. `openssl rand -base64 32`), got {got} bytes")]
    KeyLength { got: usize },
    #[error(
        "contact record was sealed under key id {key_id:?}, which is neither the current key nor an old key \
         (add the old key to the old keys to read it)"
    )]
    UnknownKeyId { key_id: String },
    #[error(
        "contact record under key id {key_id:?} failed authentication \
         (wrong key, another reporter's record, or the record was altered)"
    )]
    Authentication { key_id: String },
    #[error("contact record is malformed: {reason}")]
    MalformedContact { reason: &'static str },
}

// ----- the sender -----

/// Longest sender id accepted: a parent BSUID ([`super::identity::Bsuid`]);
/// phone numbers are at most 15 digits.
pub const SENDER_ID_MAX_LEN: usize = super::identity::BSUID_MAX_LEN;

/// The sender's WhatsApp id, as the provider gives it, normalised.
///
/// Accepted forms:
/// - Meta's `from`: digits such as `6281234567890`;
/// - Twilio's `From`: `whatsapp:+6281234567890`, normalised to the digits, so
///   the same person is the same reporter whichever provider carries them;
/// - an id that is not a phone number (Meta's business-scoped user ids,
///   parents included): 1 to [`SENDER_ID_MAX_LEN`] characters of `A-Z a-z 0-9 . _ + : -`, kept as given (case included).
///
/// A bare `+6281234567890` is refused: that is how Twilio gives an SMS
/// sender, whose number anyone can forge, and it must not pass for the
/// WhatsApp user of that number.
///
/// `Debug` and `Display` print `SenderId(***)`, so a stray `{:?}` in a log
/// line cannot leak the number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SenderId(String);

impl SenderId {
    pub fn parse(raw: &str) -> Result<Self, ReporterError> {
        let (id, twilio_form) = match raw.get(..9) {
            Some(prefix) if prefix.eq_ignore_ascii_case("whatsapp:") => (&raw[9..], true),
            _ => (raw, false),
        };
        if id.is_empty() {
            return Err(ReporterError::InvalidSender { reason: "empty" });
        }
        if id.len() > SENDER_ID_MAX_LEN {
            return Err(ReporterError::InvalidSender {
                reason: "longer than a parent business-scoped user id",
            });
        }
        if !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b':' | b'-'))
        {
            return Err(ReporterError::InvalidSender {
                reason: "only A-Z, a-z, 0-9 and . _ + : - are allowed",
            });
        }
        if let Some(digits) = id.strip_prefix('+') {
            if !twilio_form {
                return Err(ReporterError::InvalidSender {
                    reason: "a leading + is a phone number outside WhatsApp",
                });
            }
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ReporterError::InvalidSender {
                    reason: "a leading + must be followed by the digits of a phone number",
                });
            }
            return Ok(Self(digits.to_owned()));
        }
        if id.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Self(id.to_owned()));
        }
        Ok(Self(id.to_owned()))
    }

    /// The id itself, for the one place that sends a message. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SenderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SenderId(***)")
    }
}

impl fmt::Display for SenderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SenderId(***)")
    }
}

// ----- the pseudonym -----

/// A reporter's pseudonymous id: lowercase hex of HMAC-SHA256(`REPORTER_HMAC_KEY`,
/// sender id), 64 characters. Serialised as that string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReporterId(String);

impl ReporterId {
    /// Reads an id back (from the store): exactly 64 lowercase hex characters.
    pub fn parse(s: &str) -> Result<Self, ReporterError> {
        if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ReporterError::InvalidReporterId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The short form officials see, e.g. `P-3F9A2C81` (the first 32 bits,
    /// uppercase). For display only: it is not unique across all reporters.
    pub fn pseudonym(&self) -> String {
        format!("P-{}", self.0[..8].to_ascii_uppercase())
    }
}

impl fmt::Display for ReporterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ReporterId {
    type Error = ReporterError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ReporterId> for String {
    fn from(id: ReporterId) -> Self {
        id.0
    }
}

// ----- keys -----

/// A 32-byte key. `Debug` never prints the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Key32([u8; 32]);

/// Standard alphabet, padding optional.
const KEY_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl Key32 {
    /// Parses standard base64 (with or without `=` padding; surrounding
    /// whitespace such as a trailing newline is ignored). Errors say what is
    /// wrong, and how many bytes were decoded, never the key.
    pub fn from_base64(s: &str) -> Result<Self, ReporterError> {
        let bytes = KEY_BASE64
            .decode(s.trim())
            .map_err(|err| ReporterError::KeyBase64 {
                // DecodeError's own message quotes the offending byte; keep only its position.
                reason: match err {
                    DecodeError::InvalidByte(at, _) => format!("invalid character at position {at}"),
                    DecodeError::InvalidLastSymbol(at, _) => {
                        format!("invalid last character at position {at}")
                    }
                    DecodeError::InvalidLength(_) => "invalid length".to_owned(),
                    DecodeError::InvalidPadding => "invalid padding".to_owned(),
                },
            })?;
        let got = bytes.len();
        let key: [u8; 32] = bytes.try_into().map_err(|_| ReporterError::KeyLength { got })?;
        Ok(Self(key))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The key's id: the first 8 hex characters of SHA-256 of the key bytes.
    ///
    /// Derived rather than configured, so there is no separate id to set (or
    /// to get wrong) when rotating, and a record sealed under a key that is
    /// not configured is reported as such ([`ReporterError::UnknownKeyId`])
    /// instead of as a failed decryption. 32 bits of a hash of a random
    /// 256-bit key reveal nothing usable about the key.
    pub fn key_id(&self) -> String {
        hex::encode(&Sha256::digest(self.0)[..4])
    }
}

impl fmt::Debug for Key32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key32(***)")
    }
}

// ----- hashing -----

type HmacSha256 = Hmac<Sha256>;

/// Lowercase hex of HMAC-SHA256(key, message).
fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// Derives reporter ids; holds `REPORTER_HMAC_KEY`.
#[derive(Clone)]
pub struct ReporterHasher {
    key: Key32,
}

impl ReporterHasher {
    pub fn new(key: Key32) -> Self {
        Self { key }
    }

    /// The same sender always gets the same id under the same key.
    pub fn reporter_id(&self, sender: &SenderId) -> ReporterId {
        ReporterId(hmac_sha256_hex(&self.key.0, sender.expose().as_bytes()))
    }
}

impl fmt::Debug for ReporterHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReporterHasher(***)")
    }
}

// ----- sealing -----

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// A sender id encrypted with AES-256-GCM. `ciphertext` is standard base64
/// (padded) of nonce (12 bytes) || ciphertext || tag (16 bytes). The AEAD's
/// associated data is named by `version` ([`SealVersion`]): the key id and
/// the reporter's id, so neither the label nor the record's owner can be
/// changed without detection.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedContact {
    pub key_id: String,
    /// Absent in records sealed before there were versions.
    #[serde(default)]
    pub version: SealVersion,
    pub ciphertext: String,
}

/// What a seal's associated data binds. Changing a record's version changes
/// the associated data, so it fails authentication rather than downgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SealVersion {
    /// The key id alone: records sealed before December 2026. They still
    /// open, for any reporter, and are sealed again as [`SealVersion::V2`]
    /// when their reporter next writes.
    #[default]
    V1,
    /// The key id and the reporter's id: a contact copied onto another
    /// reporter's record does not open there.
    V2,
}

impl SealVersion {
    /// `owner`: the reporter's id (fixed-length hex), or another owner's
    /// name in a form no reporter id has (`unit:<path>`).
    fn associated_data(self, key_id: &str, owner: &str) -> Vec<u8> {
        match self {
            SealVersion::V1 => key_id.as_bytes().to_vec(),
            // Both ids are fixed-length hex: the separator keeps it unambiguous anyway.
            SealVersion::V2 => format!("{key_id}/{owner}").into_bytes(),
        }
    }
}

impl fmt::Debug for SealedContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedContact")
            .field("key_id", &self.key_id)
            .field("version", &self.version)
            .field(
                "ciphertext",
                &format_args!("<{} base64 chars>", self.ciphertext.len()),
            )
            .finish()
    }
}

/// Seals contacts under the current `CONTACT_ENCRYPTION_KEY`, and opens
/// records sealed under it or any of the old keys
/// (`CONTACT_ENCRYPTION_OLD_KEYS`).
///
/// Rotation: make the new key current and list the previous one as old. New
/// records get the new key id; old records stay readable, and are re-sealed
/// under the new key whenever they are next written ([`ContactCipher::is_current`]).
#[derive(Clone)]
pub struct ContactCipher {
    /// The current key first, then the old keys; each with its key id.
    keys: Vec<(String, Aes256Gcm)>,
}

impl ContactCipher {
    /// `old` may repeat the current key or each other; duplicates are dropped.
    pub fn new(current: Key32, old: impl IntoIterator<Item = Key32>) -> Self {
        let mut seen: Vec<Key32> = Vec::new();
        let mut keys = Vec::new();
        for key in std::iter::once(current).chain(old) {
            if seen.contains(&key) {
                continue;
            }
            keys.push((key.key_id(), Aes256Gcm::new((&key.0).into())));
            seen.push(key);
        }
        Self { keys }
    }

    /// The id new records are sealed under.
    pub fn current_key_id(&self) -> &str {
        &self.keys[0].0
    }

    /// The ids of the old keys, in the order given.
    pub fn old_key_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.keys[1..].iter().map(|(id, _)| id.as_str())
    }

    /// Encrypts `reporter`'s contact under the current key with a fresh
    /// random 96-bit nonce, bound to `reporter` ([`SealVersion::V2`]).
    pub fn seal(&self, reporter: &ReporterId, sender: &Sender) -> SealedContact {
        self.seal_for(reporter.as_str(), sender.sealed_form().as_bytes())
    }

    /// Seals an RW's or RT's head's number as a reporter's contact is,
    /// bound to the unit: a number copied onto another unit does not open.
    pub fn seal_head(&self, unit: &UnitPath, phone: &PhoneNumber) -> SealedContact {
        self.seal_for(&head_owner(unit), phone.as_str().as_bytes())
    }

    /// Seals a registered official's number, bound to the registration.
    pub fn seal_official(&self, official: &OfficialId, phone: &PhoneNumber) -> SealedContact {
        self.seal_for(&official_owner(official), phone.as_str().as_bytes())
    }

    pub fn open_official(
        &self,
        official: &OfficialId,
        sealed: &SealedContact,
    ) -> Result<PhoneNumber, ReporterError> {
        self.open_phone(&official_owner(official), sealed)
    }

    fn seal_for(&self, owner: &str, plain: &[u8]) -> SealedContact {
        let (key_id, cipher) = &self.keys[0];
        let version = SealVersion::V2;
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: &version.associated_data(key_id, owner),
                },
            )
            .expect("AES-GCM encrypts messages of up to 64 GiB");
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        SealedContact {
            key_id: key_id.clone(),
            version,
            ciphertext: STANDARD.encode(out),
        }
    }

    /// Whether a record is sealed as new ones are: under the current key and
    /// bound to its reporter. Others are sealed again when next written.
    pub fn is_current(&self, sealed: &SealedContact) -> bool {
        sealed.key_id == self.current_key_id() && sealed.version == SealVersion::V2
    }

    /// Decrypts `reporter`'s contact with the key the record names (current
    /// or old). `reporter` is the id the record was looked up by: a contact
    /// bound to another reporter fails authentication.
    pub fn open(&self, reporter: &ReporterId, sealed: &SealedContact) -> Result<Sender, ReporterError> {
        let text = self.open_for(reporter.as_str(), sealed)?;
        Sender::from_sealed_form(&text).map_err(|_| ReporterError::MalformedContact {
            reason: "contact is not a sender's ids",
        })
    }

    /// Decrypts a head's number sealed by [`ContactCipher::seal_head`] for `unit`.
    pub fn open_head(&self, unit: &UnitPath, sealed: &SealedContact) -> Result<PhoneNumber, ReporterError> {
        self.open_phone(&head_owner(unit), sealed)
    }

    /// A number sealed bound to `owner`; such numbers were never sealed unbound.
    fn open_phone(&self, owner: &str, sealed: &SealedContact) -> Result<PhoneNumber, ReporterError> {
        if sealed.version != SealVersion::V2 {
            return Err(ReporterError::Authentication {
                key_id: sealed.key_id.clone(),
            });
        }
        let text = self.open_for(owner, sealed)?;
        PhoneNumber::parse(&text).map_err(|_| ReporterError::MalformedContact {
            reason: "not a phone number",
        })
    }

    fn open_for(&self, owner: &str, sealed: &SealedContact) -> Result<String, ReporterError> {
        let mut candidates = self.keys.iter().filter(|(id, _)| *id == sealed.key_id).peekable();
        if candidates.peek().is_none() {
            return Err(ReporterError::UnknownKeyId {
                key_id: sealed.key_id.clone(),
            });
        }
        let bytes = STANDARD
            .decode(&sealed.ciphertext)
            .map_err(|_| ReporterError::MalformedContact {
                reason: "ciphertext is not standard base64",
            })?;
        if bytes.len() < NONCE_LEN + TAG_LEN {
            return Err(ReporterError::MalformedContact {
                reason: "ciphertext is too short",
            });
        }
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::from_slice(nonce);
        let aad = sealed.version.associated_data(&sealed.key_id, owner);
        // Two different keys share an id only by a 1 in 2^32 accident; try each.
        let plain = candidates
            .find_map(|(_, cipher)| cipher.decrypt(nonce, Payload { msg: body, aad: &aad }).ok())
            .ok_or_else(|| ReporterError::Authentication {
                key_id: sealed.key_id.clone(),
            })?;
        String::from_utf8(plain).map_err(|_| ReporterError::MalformedContact {
            reason: "contact is not UTF-8",
        })
    }
}

/// Who a head's sealed number belongs to: not hex, so never a reporter's id.
fn official_owner(official: &OfficialId) -> String {
    format!("official:{official}")
}

fn head_owner(unit: &UnitPath) -> String {
    format!("unit:{unit}")
}

impl fmt::Debug for ContactCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContactCipher")
            .field("current_key_id", &self.current_key_id())
            .field("old_key_ids", &self.old_key_ids().collect::<Vec<_>>())
            .finish()
    }
}

/// Everything needed to pseudonymise a sender and seal their contact.
#[derive(Debug, Clone)]
pub struct ReporterKeys {
    pub hasher: ReporterHasher,
    pub contacts: ContactCipher,
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHONE: &str = "6281234567890";

    fn key(n: u8) -> Key32 {
        Key32::from_bytes([n; 32])
    }

    fn sender() -> SenderId {
        SenderId::parse(PHONE).unwrap()
    }

    fn contact() -> Sender {
        Sender::phone_number(sender())
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn reporter_id_known_answer() {
        // Key bytes 0x00..=0x1f; value computed independently with Python's hmac module.
        let key = Key32::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap();
        let id = ReporterHasher::new(key).reporter_id(&sender());
        assert_eq!(
            id.as_str(),
            "063be83e19b7d667c2e175cf834649bd7405cd2e382c7ee16eba95281235def3"
        );
        assert_eq!(id.pseudonym(), "P-063BE83E");
    }

    #[test]
    fn reporter_id_is_stable_per_key_and_differs_across_keys() {
        let a = ReporterHasher::new(key(1));
        assert_eq!(a.reporter_id(&sender()), a.reporter_id(&sender()));
        assert_eq!(
            a.reporter_id(&sender()),
            ReporterHasher::new(key(1)).reporter_id(&sender())
        );
        assert_ne!(
            a.reporter_id(&sender()),
            ReporterHasher::new(key(2)).reporter_id(&sender())
        );
        assert_ne!(
            a.reporter_id(&sender()),
            a.reporter_id(&SenderId::parse("6281234567891").unwrap())
        );
        let id = a.reporter_id(&sender());
        assert_eq!(id.as_str().len(), 64);
        assert_eq!(ReporterId::parse(id.as_str()).unwrap(), id);
    }

    #[test]
    fn twilio_and_meta_forms_are_the_same_sender() {
        let meta = SenderId::parse(PHONE).unwrap();
        for form in [
            "whatsapp:+6281234567890",
            "WhatsApp:+6281234567890",
            "whatsapp:6281234567890",
        ] {
            assert_eq!(SenderId::parse(form).unwrap(), meta, "{form}");
        }
        assert_eq!(meta.expose(), PHONE);
    }

    #[test]
    fn an_sms_sender_is_not_the_whatsapp_user_of_its_number() {
        // Twilio's `From` of an SMS: E.164 without the channel.
        assert_eq!(
            SenderId::parse("+6281234567890"),
            Err(ReporterError::InvalidSender {
                reason: "a leading + is a phone number outside WhatsApp"
            })
        );
    }

    #[test]
    fn sender_id_accepts_usernames_and_rejects_junk() {
        assert_eq!(
            SenderId::parse("ID.user_name-1:x").unwrap().expose(),
            "ID.user_name-1:x"
        );
        let parent = format!("ID.ENT.{}", "9".repeat(128));
        assert_eq!(SenderId::parse(&parent).unwrap().expose(), parent);
        for bad in [
            "",
            "whatsapp:",
            "62 812",
            "+",
            "+62abc",
            "ümlaut",
            "a/b",
            &"a".repeat(SENDER_ID_MAX_LEN + 1),
        ] {
            assert!(SenderId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn reporter_id_parse_is_strict() {
        assert!(ReporterId::parse(&"ab".repeat(32)).is_ok());
        assert!(ReporterId::parse(&"AB".repeat(32)).is_err());
        assert!(ReporterId::parse(&"ab".repeat(31)).is_err());
        assert!(ReporterId::parse(&"zz".repeat(32)).is_err());
        let id = ReporterId::parse(&"3f9a2c81".repeat(8)).unwrap();
        assert_eq!(id.pseudonym(), "P-3F9A2C81");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{}\"", "3f9a2c81".repeat(8)));
        assert_eq!(serde_json::from_str::<ReporterId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ReporterId>("\"nope\"").is_err());
    }

    fn reporter(n: u8) -> ReporterId {
        ReporterHasher::new(key(7)).reporter_id(&SenderId::parse(&format!("62812345678{n:02}")).unwrap())
    }

    #[test]
    fn seal_open_round_trip_with_fresh_nonces() {
        let cipher = ContactCipher::new(key(1), []);
        let a = cipher.seal(&reporter(1), &contact());
        let b = cipher.seal(&reporter(1), &contact());
        assert_ne!(a.ciphertext, b.ciphertext, "each record gets its own nonce");
        assert_eq!(a.key_id, key(1).key_id());
        assert_eq!(a.key_id.len(), 8);
        assert_eq!(a.version, SealVersion::V2);
        assert!(!a.ciphertext.contains(PHONE));
        assert_eq!(cipher.open(&reporter(1), &a).unwrap(), contact());
        assert_eq!(cipher.open(&reporter(1), &b).unwrap(), contact());
        let json = serde_json::to_string(&a).unwrap();
        assert!(json.contains("\"version\":\"v2\""), "{json}");
        assert_eq!(serde_json::from_str::<SealedContact>(&json).unwrap(), a);
    }

    /// A head's number opens for its own unit only, and never as a
    /// reporter's contact.
    #[test]
    fn a_heads_number_is_bound_to_its_unit() {
        use crate::domain::jurisdiction::JurisdictionPath;
        let cipher = ContactCipher::new(key(1), []);
        let kel = JurisdictionPath::parse("bukittinggi/guguk-panjang/kayu-kubu").unwrap();
        let rt1 = UnitPath::parse_below(&kel, "rw-01/rt-01").unwrap();
        let rt2 = UnitPath::parse_below(&kel, "rw-01/rt-02").unwrap();
        let phone = PhoneNumber::parse("081234567890").unwrap();
        let sealed = cipher.seal_head(&rt1, &phone);
        assert!(!sealed.ciphertext.contains("1234567890"));
        assert_eq!(cipher.open_head(&rt1, &sealed).unwrap(), phone);
        assert!(matches!(
            cipher.open_head(&rt2, &sealed),
            Err(ReporterError::Authentication { .. })
        ));
        let unbound = SealedContact {
            version: SealVersion::V1,
            ..sealed.clone()
        };
        assert!(cipher.open_head(&rt1, &unbound).is_err());
        assert!(cipher.open(&reporter(1), &sealed).is_err());
    }

    /// docs/security.md, "Hardening while there": someone who can write the
    /// table copies reporter A's sealed contact onto reporter B's record, so
    /// that what the desk sends B goes to A's number. It does not open.
    #[test]
    fn a_contact_sealed_for_one_reporter_does_not_open_as_anothers() {
        let cipher = ContactCipher::new(key(1), []);
        let sealed = cipher.seal(&reporter(1), &contact());
        assert_eq!(cipher.open(&reporter(1), &sealed).unwrap(), contact());
        let authentication = Err(ReporterError::Authentication {
            key_id: sealed.key_id.clone(),
        });
        assert_eq!(cipher.open(&reporter(2), &sealed), authentication);
        // Nor does it once labelled as a record from before the binding.
        let downgraded = SealedContact {
            version: SealVersion::V1,
            ..sealed.clone()
        };
        assert_eq!(cipher.open(&reporter(2), &downgraded), authentication);
        assert_eq!(cipher.open(&reporter(1), &downgraded), authentication);
    }

    /// Sealed under `key(1)` before seals were bound to their reporter (the
    /// code of November 2026), as the table holds it: no version.
    const OLD_RECORD: &str =
        r#"{"key_id":"72cd6e84","ciphertext":"4pk65slZbLGiK8n63cbi588W+/tKdy9LyIn96Q+zJW3XnJkaJcx374k="}"#;

    #[test]
    fn a_record_sealed_before_the_binding_still_opens_and_is_resealed() {
        let cipher = ContactCipher::new(key(1), []);
        let old: SealedContact = serde_json::from_str(OLD_RECORD).unwrap();
        assert_eq!(old.version, SealVersion::V1);
        assert_eq!(cipher.open(&reporter(1), &old).unwrap(), contact());
        assert!(!cipher.is_current(&old), "sealed again when next written");
        let new = cipher.seal(&reporter(1), &contact());
        assert!(cipher.is_current(&new));
        // Under an old key, a bound record is sealed again too.
        assert!(!ContactCipher::new(key(2), [key(1)]).is_current(&new));
    }

    #[test]
    fn a_wrong_key_fails_authentication() {
        let sealed = ContactCipher::new(key(1), []).seal(&reporter(1), &contact());
        // Another key posing under the same id: only the tag can tell.
        let (_, impostor) = &ContactCipher::new(key(2), []).keys[0];
        let cipher = ContactCipher {
            keys: vec![(sealed.key_id.clone(), impostor.clone())],
        };
        assert_eq!(
            cipher.open(&reporter(1), &sealed),
            Err(ReporterError::Authentication {
                key_id: sealed.key_id.clone()
            })
        );
    }

    #[test]
    fn tampering_fails_authentication() {
        let cipher = ContactCipher::new(key(1), [key(2)]);
        let owner = reporter(1);
        let sealed = cipher.seal(&owner, &contact());
        let mut bytes = STANDARD.decode(&sealed.ciphertext).unwrap();
        for i in [0, NONCE_LEN, bytes.len() - 1] {
            bytes[i] ^= 1;
            let tampered = SealedContact {
                ciphertext: STANDARD.encode(&bytes),
                ..sealed.clone()
            };
            assert!(
                matches!(
                    cipher.open(&owner, &tampered),
                    Err(ReporterError::Authentication { .. })
                ),
                "byte {i}"
            );
            bytes[i] ^= 1;
        }
        // The key id is bound as associated data: relabelling as another configured key fails too.
        let relabelled = SealedContact {
            key_id: key(2).key_id(),
            ..sealed.clone()
        };
        assert!(matches!(
            cipher.open(&owner, &relabelled),
            Err(ReporterError::Authentication { .. })
        ));
        let short = SealedContact {
            ciphertext: STANDARD.encode([0u8; 20]),
            ..sealed.clone()
        };
        assert!(matches!(
            cipher.open(&owner, &short),
            Err(ReporterError::MalformedContact { .. })
        ));
        let not_base64 = SealedContact {
            ciphertext: "%%%".into(),
            ..sealed
        };
        assert!(matches!(
            cipher.open(&owner, &not_base64),
            Err(ReporterError::MalformedContact { .. })
        ));
    }

    #[test]
    fn rotation_keeps_old_records_readable() {
        let owner = reporter(1);
        let before = ContactCipher::new(key(1), []);
        let old_record = before.seal(&owner, &contact());

        let after = ContactCipher::new(key(2), [key(1)]);
        assert_eq!(after.current_key_id(), key(2).key_id());
        assert_eq!(after.old_key_ids().collect::<Vec<_>>(), [key(1).key_id()]);
        assert_eq!(after.open(&owner, &old_record).unwrap(), contact());
        assert!(!after.is_current(&old_record));

        let new_record = after.seal(&owner, &contact());
        assert_eq!(new_record.key_id, key(2).key_id());
        assert_ne!(new_record.key_id, old_record.key_id);
        assert_eq!(after.open(&owner, &new_record).unwrap(), contact());

        // Without the old key listed, the record names a key we do not have.
        assert_eq!(
            ContactCipher::new(key(2), []).open(&owner, &old_record),
            Err(ReporterError::UnknownKeyId {
                key_id: key(1).key_id()
            })
        );
    }

    #[test]
    fn duplicate_keys_are_dropped() {
        let cipher = ContactCipher::new(key(1), [key(1), key(2), key(2)]);
        assert_eq!(cipher.old_key_ids().collect::<Vec<_>>(), [key(2).key_id()]);
    }

    #[test]
    fn unknown_key_id_is_a_typed_error() {
        let cipher = ContactCipher::new(key(1), []);
        let sealed = SealedContact {
            key_id: "deadbeef".into(),
            ..cipher.seal(&reporter(1), &contact())
        };
        let err = cipher.open(&reporter(1), &sealed).unwrap_err();
        assert_eq!(
            err,
            ReporterError::UnknownKeyId {
                key_id: "deadbeef".into()
            }
        );
        assert!(err.to_string().contains("deadbeef"));
    }

    #[test]
    fn debug_and_display_never_show_the_number_or_key() {
        let s = SenderId::parse("whatsapp:+6281234567890").unwrap();
        for shown in [format!("{s:?}"), format!("{s}"), format!("{:?}", Some(&s))] {
            assert!(shown.contains("SenderId(***)"), "{shown}");
            assert!(!shown.contains("628"), "{shown}");
        }
        let k = Key32::from_bytes([0x42; 32]);
        let shown = format!("{k:?}");
        assert_eq!(shown, "Key32(***)");
        let keys = ReporterKeys {
            hasher: ReporterHasher::new(k.clone()),
            contacts: ContactCipher::new(k, []),
        };
        let shown = format!("{keys:?}");
        assert!(shown.contains("ReporterHasher(***)"), "{shown}");
        assert!(!shown.contains("66, 66") && !shown.contains("4242"), "{shown}");
        let sealed = keys.contacts.seal(&reporter(1), &Sender::phone_number(s));
        assert!(!format!("{sealed:?}").contains(&sealed.ciphertext));
    }

    #[test]
    fn key_parsing_errors_say_what_is_wrong_but_not_the_key() {
        let b64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
        assert_eq!(
            Key32::from_base64(b64).unwrap(),
            Key32::from_base64(&format!("{b64}=\n")).unwrap()
        );

        let err = Key32::from_base64("c2hvcnQ=").unwrap_err();
        assert_eq!(err, ReporterError::KeyLength { got: 5 });
        assert!(err.to_string().contains("got 5 bytes"), "{err}");

        let err = Key32::from_base64("sec!ret-key-material").unwrap_err();
        assert!(matches!(err, ReporterError::KeyBase64 { .. }), "{err:?}");
        let shown = err.to_string();
        assert!(
            !shown.contains("sec") && !shown.contains('!') && !shown.contains("33"),
            "{shown}"
        );
    }
}
