//! The place each case's citizen last shared (`LOCATION` in the case's
//! partition, written with the event that shared it), read for many cases
//! at once: suggested duplicates compare a case's place with its
//! candidates'.

use std::collections::HashMap;

use super::codec::from_item;
use super::items::LocationItem;
use super::{keys, Store, StoreError};
use crate::domain::case::CaseId;
use crate::domain::duplicates::Coordinates;

impl Store {
    /// The last place shared on each of `ids` that has one: one
    /// BatchGetItem per 100 cases.
    pub async fn shared_locations(
        &self,
        ids: &[&CaseId],
    ) -> Result<HashMap<CaseId, Coordinates>, StoreError> {
        self.case_items(ids, keys::LOCATION_SK)
            .await?
            .into_iter()
            .map(|item| {
                let location: LocationItem = from_item(item)?;
                Ok((location.case_id.clone(), location.coordinates()))
            })
            .collect()
    }
}
