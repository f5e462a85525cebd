//! Meta's system message that a citizen's ids changed (a new number brings
//! a new BSUID; or a new BSUID alone when the number is not shared): their
//! record takes the new ids and contact, and its copies move to the new
//! keys, so their next message finds their open case, STATUS list and
//! question. The record keeps its id, and with it the cases that name it;
//! a record the new ids started before the change arrived is merged into it.

use aduan_shared::conversation::plan::AbsorbedRecord;
use aduan_shared::conversation::{kept_by_others, resolve, Resolved};
use aduan_shared::domain::case::Provider;
use aduan_shared::domain::identity::IdKeys;
use aduan_shared::domain::reporter::ReporterId;
use aduan_shared::store::{FirstRead, InboundKey, StoreError};
use aduan_shared::whatsapp::IdentityChange;

use super::{CitizenRecords, Desk, InboundError, MAX_ROUNDS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed {
    /// The same system message, delivered again.
    Duplicate,
    /// Nobody the desk knows by the old ids: nothing to move.
    Unknown,
    Moved,
}

pub async fn change_identity(
    records: &impl CitizenRecords,
    desk: &Desk,
    change: &IdentityChange,
) -> Result<Changed, InboundError> {
    let hasher = &desk.keys.hasher;
    let (old, new) = (IdKeys::of(&change.old, hasher), IdKeys::of(&change.new, hasher));
    let lookups: Vec<ReporterId> = old.all().chain(new.all()).cloned().collect();
    let key = InboundKey {
        provider: Provider::Meta,
        message_id: change.message_id.clone(),
    };
    let mut last_conflict = StoreError::Contended;
    for _ in 0..MAX_ROUNDS {
        let FirstRead {
            handled,
            reporters: found,
            ..
        } = records.inbound_and_reporters(&key, &lookups).await?;
        if handled.is_some() {
            return Ok(Changed::Duplicate);
        }
        let Some(Resolved {
            reporter: Some(reporter),
            ..
        }) = resolve(&old, &found)
        else {
            return Ok(Changed::Unknown);
        };
        // A record the new ids started (they wrote from the new number
        // before this arrived) is the same person's: merged into theirs.
        // Keys of the new ids held by anyone else stay theirs.
        let started = resolve(&new, &found)
            .and_then(|r| r.reporter)
            .filter(|r| r.id != reporter.id);
        let mut taken = kept_by_others(&new, &found, Some(&reporter.id));
        let mut next = reporter.clone();
        if let Some(started) = &started {
            taken.retain(|k| !started.owns_key(k));
            next.absorb(started);
        }
        next.contact = desk.keys.contacts.seal(&next.id, &change.new);
        next.known_as = new.clone().without(&taken);
        let absorbed = started.as_ref().map(AbsorbedRecord::of);
        match records
            .record_identity_change(&key, &mut next, &reporter.copies(), absorbed.as_ref())
            .await
        {
            Ok(()) => return Ok(Changed::Moved),
            Err(StoreError::DuplicateMessage) => return Ok(Changed::Duplicate),
            Err(e) if e.is_conflict() => last_conflict = e,
            Err(e) => return Err(e.into()),
        }
    }
    Err(last_conflict.into())
}
