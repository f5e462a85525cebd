//! Between serde values and DynamoDB attribute maps: the encoding every
//! other store module uses, and nothing else.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::error::StoreError;
use super::keys;

pub type Item = HashMap<String, AttributeValue>;

pub fn to_item<T: Serialize>(value: &T) -> Item {
    serde_dynamo::to_item(value).expect("our item types always serialise to a map")
}

pub fn from_item<T: for<'de> Deserialize<'de>>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

/// The primary key of an item.
pub fn key_of(pk: &str, sk: &str) -> Item {
    Item::from([(keys::PK.to_owned(), s(pk)), (keys::SK.to_owned(), s(sk))])
}

/// DynamoDB deletes expired items lazily (and the emulator never): an item
/// past its `expires_at` is treated as gone.
pub fn is_expired(item: &Item, now: DateTime<Utc>) -> bool {
    item.get(keys::EXPIRES_AT)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse::<i64>().ok())
        .is_some_and(|at| at <= now.timestamp())
}
