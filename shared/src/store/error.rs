//! What can go wrong in the store, as its callers need to tell it apart.

use aws_sdk_dynamodb::error::{DisplayErrorContext, SdkError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the case changed since it was read (expected version {expected})")]
    VersionConflict { expected: u64 },
    #[error("the reporter's record changed since it was read")]
    ReporterConflict,
    #[error("this provider message was already recorded")]
    DuplicateMessage,
    #[error("another write to the same items was in progress")]
    Contended,
    #[error("the case is closed, rejected or withdrawn")]
    CaseClosed,
    /// Another case took the number first: read the sequence again.
    #[error("the ticket is already taken")]
    TicketTaken,
    #[error("the case already exists")]
    CaseExists,
    #[error("that RW or RT is kept already")]
    UnitExists,
    #[error("no such RW or RT, or it changed since it was read")]
    UnitMissing,
    #[error("the RT's RW is not kept: add the RW first")]
    RwMissing,
    #[error("the RW still has RTs: remove them first")]
    UnitHasRts,
    #[error("that WhatsApp number is registered to an official already")]
    NumberRegistered,
    /// Another run of a job moved its cursor first: the work is its.
    #[error("another run claimed this work first")]
    Claimed,
    #[error("the pagination cursor is not valid for this query")]
    BadCursor,
    #[error("a stored item could not be read: {0}")]
    Corrupt(String),
    #[error("the table could not be reached: {0}")]
    Unavailable(String),
}

impl StoreError {
    pub(crate) fn from_sdk<E, R>(err: SdkError<E, R>) -> Self
    where
        E: std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        StoreError::Unavailable(DisplayErrorContext(err).to_string())
    }

    /// Conflicts mean "somebody else wrote first": re-read and decide again.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            StoreError::VersionConflict { .. }
                | StoreError::ReporterConflict
                | StoreError::Contended
                | StoreError::TicketTaken
        )
    }
}
