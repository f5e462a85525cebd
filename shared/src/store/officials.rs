//! Officials registered to act from WhatsApp. One record, kept in three
//! places written together: under its id (`GET /officials/{id}`), in the
//! officials' partition sorted by scope (lists within an admin's scope,
//! notices for a tier), and under each key the official's messages carry,
//! so a message's first read finds its sender's registration with the
//! citizen's records, in the same request.

use aws_sdk_dynamodb::types::builders::DeleteBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, Delete};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};

use super::codec::{from_item, key_of, s, to_item, Item};
use super::items::{InboundItem, InboundKey};
use super::keys;
use super::tx::{Conflict, Tx};
use super::{Store, StoreError};
use crate::domain::audit::AuditEntry;
use crate::domain::jurisdiction::JurisdictionPath;
use crate::domain::official::{OfficialId, Registration};
use crate::domain::reporter::ReporterId;
use crate::whatsapp::INBOUND_RETENTION_DAYS;

#[derive(Serialize, Deserialize)]
pub(super) struct OfficialItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    #[serde(flatten)]
    pub official: Registration,
}

impl OfficialItem {
    fn at(pk: String, sk: String, official: &Registration) -> Item {
        to_item(&Self {
            pk,
            sk,
            official: official.clone(),
        })
    }
}

/// Every copy of a registration: its own item first.
fn copies(official: &Registration) -> Vec<Item> {
    let mut items = vec![
        OfficialItem::at(
            keys::official_pk(&official.id),
            keys::OFFICIAL_SK.into(),
            official,
        ),
        OfficialItem::at(
            keys::OFFICIALS_PK.into(),
            keys::officials_sk(&official.scope, &official.id),
            official,
        ),
    ];
    items.extend(
        official
            .known_as
            .all()
            .map(|key| OfficialItem::at(keys::official_by_pk(key), keys::OFFICIAL_SK.into(), official)),
    );
    items
}

fn delete_of(table: &str, item: &Item) -> DeleteBuilder {
    Delete::builder().table_name(table).set_key(Some(key_of(
        item[keys::PK].as_s().expect("copies have a PK"),
        item[keys::SK].as_s().expect("copies have an SK"),
    )))
}

impl Store {
    /// Registers an official: `NumberRegistered` if their number is
    /// registered already (to them or anyone).
    pub async fn register_official(&self, official: &Registration) -> Result<(), StoreError> {
        self.register_official_audited(official, None).await
    }

    /// [`Store::register_official`] with the admin's audit entry, in the
    /// same transaction: both or neither.
    pub async fn register_official_audited(
        &self,
        official: &Registration,
        audit: Option<&AuditEntry>,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new(&self.table);
        tx.put_audit(audit);
        let mut items = copies(official).into_iter();
        // A fresh id: its own item is new.
        tx.put(items.next().expect("its own item"));
        tx.put(items.next().expect("its list item"));
        for pointer in items {
            tx.put_new(pointer, Conflict::NumberRegistered);
        }
        tx.commit(&self.client).await
    }

    pub async fn official(&self, id: &OfficialId) -> Result<Option<Registration>, StoreError> {
        self.get(keys::official_pk(id), keys::OFFICIAL_SK)
            .await?
            .map(registration)
            .transpose()
    }

    /// Every official registered at `scope` or below it, in scope order.
    pub async fn officials_within(&self, scope: &JurisdictionPath) -> Result<Vec<Registration>, StoreError> {
        let found = self.officials_from(scope.as_str()).await?;
        Ok(found.into_iter().filter(|o| o.scope.is_within(scope)).collect())
    }

    /// The officials registered exactly at `scope`.
    pub async fn officials_at(&self, scope: &JurisdictionPath) -> Result<Vec<Registration>, StoreError> {
        self.officials_from(&keys::officials_sk_prefix(scope)).await
    }

    async fn officials_from(&self, prefix: &str) -> Result<Vec<Registration>, StoreError> {
        let request = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#sk", keys::SK)
            .expression_attribute_values(":pk", s(keys::OFFICIALS_PK))
            .expression_attribute_values(":prefix", s(prefix));
        self.query_all(request)
            .await?
            .into_iter()
            .map(registration)
            .collect()
    }

    /// Saves a registration read at `official.version` (a code checked, the
    /// keys it is known by grown): every copy at the next version.
    pub async fn save_official(&self, official: &mut Registration) -> Result<(), StoreError> {
        self.record_official_message(None, Some(official)).await
    }

    /// Records an official's message as handled (`DuplicateMessage` if it
    /// was), with their registration if the message changed it, in one
    /// transaction.
    pub async fn record_official_message(
        &self,
        inbound: Option<&InboundKey>,
        changed: Option<&mut Registration>,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new(&self.table);
        if let Some(inbound) = inbound {
            let expires = Utc::now() + Duration::days(INBOUND_RETENTION_DAYS);
            let marker = to_item(&InboundItem::new(inbound, None, None, expires));
            tx.put_new(marker, Conflict::DuplicateMessage);
        }
        match changed {
            Some(official) => self.save_registration(tx, official).await,
            None => tx.commit(&self.client).await,
        }
    }

    /// Saves a registration an admin changed (`PATCH /officials/{id}`), at
    /// the version read, with the admin's audit entry: one transaction.
    pub async fn change_official_audited(
        &self,
        official: &mut Registration,
        audit: Option<&AuditEntry>,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new(&self.table);
        tx.put_audit(audit);
        self.save_registration(tx, official).await
    }

    /// Commits `tx` with every copy of `official`, its own conditional on
    /// the version read; the version moves on only when it is saved.
    async fn save_registration(&self, mut tx: Tx<'_>, official: &mut Registration) -> Result<(), StoreError> {
        let read_at = official.version;
        official.version += 1;
        let mut items = copies(official).into_iter();
        tx.put_if_version(
            items.next().expect("its own item"),
            read_at,
            Conflict::Version(read_at),
        );
        for copy in items {
            tx.put(copy);
        }
        let saved = tx.commit(&self.client).await;
        if saved.is_err() {
            official.version = read_at;
        }
        saved
    }

    /// Removes a registration and every copy, at the version read: the
    /// number's next message is a citizen's.
    pub async fn remove_official(&self, official: &Registration) -> Result<(), StoreError> {
        self.remove_official_audited(official, None).await
    }

    /// [`Store::remove_official`] with the admin's audit entry, in the same
    /// transaction.
    pub async fn remove_official_audited(
        &self,
        official: &Registration,
        audit: Option<&AuditEntry>,
    ) -> Result<(), StoreError> {
        let mut tx = Tx::new(&self.table);
        tx.put_audit(audit);
        let mut items = copies(official).into_iter();
        let own = items.next().expect("its own item");
        let condition = delete_of(&self.table, &own)
            .condition_expression("#version = :version")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":version", AttributeValue::N(official.version.to_string()))
            .build()
            .expect("table, key and condition are set");
        tx.delete(condition, Conflict::Version(official.version));
        for copy in items {
            let delete = delete_of(&self.table, &copy)
                .build()
                .expect("table and key are set");
            tx.delete(delete, Conflict::Version(official.version));
        }
        tx.commit(&self.client).await
    }
}

/// The key a message's first read looks its sender's registration up by,
/// one for each of the sender's keys.
pub(super) fn lookup_pk(sender_key: &ReporterId) -> String {
    keys::official_by_pk(sender_key)
}

/// Reads a registration found by the first read.
pub(super) fn registration(item: Item) -> Result<Registration, StoreError> {
    Ok(from_item::<OfficialItem>(item)?.official)
}
