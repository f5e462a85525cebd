//! The place each case's citizen last shared (`LOCATION` in the case's
//! partition, written with the event that shared it), read for many cases
//! at once: suggested duplicates compare a case's place with its
//! candidates'.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;

use super::codec::{from_item, to_item};
use super::items::LocationItem;
use super::{keys, Store, StoreError};
use crate::domain::case::CaseId;
use crate::domain::duplicates::Coordinates;
use crate::domain::timeline::TimelineEvent;

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

    /// Records the place of `shared` (the last location on the case's
    /// timeline) for a case written before places were kept, unless one is
    /// recorded by now: a citizen's newer place is never replaced. Whether
    /// it was recorded; one conditional PutItem.
    pub async fn record_shared_location(
        &self,
        case_id: &CaseId,
        shared: &TimelineEvent,
    ) -> Result<bool, StoreError> {
        let Some(item) = LocationItem::of(case_id, shared) else {
            return Ok(false);
        };
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&item)))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .send()
            .await;
        match put {
            Ok(_) => Ok(true),
            Err(SdkError::ServiceError(e))
                if matches!(e.err(), PutItemError::ConditionalCheckFailedException(_)) =>
            {
                Ok(false)
            }
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }
}
