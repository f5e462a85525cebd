//! What a citizen is told about their data (UU 27/2022): the settings.

/// The privacy settings a city makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Privacy {
    /// How to reach the city's data protection officer, as `PRIVASI` says it.
    pub dpo_contact: String,
}

/// Said in `PRIVASI` when `DPO_CONTACT` is not set.
pub const DEFAULT_DPO_CONTACT: &str = "Dinas Komunikasi dan Informatika, melalui kantor pemerintah kota";

impl Default for Privacy {
    fn default() -> Self {
        Self {
            dpo_contact: DEFAULT_DPO_CONTACT.to_owned(),
        }
    }
}
