//! A kelurahan's RWs and RTs: one partition per kelurahan (`UNITS#<path>`),
//! one item per unit. Every write is conditional: a new unit on nothing
//! being there, a change on the version read. An RW counts its RTs
//! (`rts`), changed in the same transaction as the RT, so an RW with RTs
//! is never deleted, however the writes interleave.

use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, ReturnValue, ReturnValuesOnConditionCheckFailure, Update,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::codec::{from_item, key_of, s, to_item};
use super::error::StoreError;
use super::keys;
use super::tx::{Conflict, Tx};
use super::Store;
use crate::domain::jurisdiction::{parse_units_csv, CsvProblem, JurisdictionPath, Unit, UnitPath};
use crate::domain::reporter::{ContactCipher, SealedContact};

/// A unit as stored: the head's number only sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUnit {
    pub path: UnitPath,
    pub head_name: String,
    pub head_contact: Option<SealedContact>,
    pub version: u64,
    /// An RW's RTs (0 for an RT).
    pub rts: u32,
    pub updated_at: DateTime<Utc>,
    /// The official's name who wrote it last.
    pub updated_by: String,
}

/// What a write says of a unit's head.
#[derive(Debug, Clone)]
pub struct UnitHead {
    pub name: String,
    pub contact: HeadContact,
}

/// What a write does with the head's number.
#[derive(Debug, Clone)]
pub enum HeadContact {
    /// Leaves a kept unit's number as it is (a new unit has none).
    Keep,
    Remove,
    Set(SealedContact),
}

#[derive(Serialize, Deserialize)]
struct UnitItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    head_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    head_contact: Option<SealedContact>,
    version: u64,
    #[serde(default)]
    rts: u32,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

impl UnitHead {
    /// A parsed unit's head as written: its number sealed, or none.
    pub fn of(contacts: &ContactCipher, unit: &Unit) -> Self {
        let contact = match &unit.head_whatsapp {
            Some(phone) => HeadContact::Set(contacts.seal_head(&unit.path, phone)),
            None => HeadContact::Remove,
        };
        Self {
            name: unit.head_name.clone(),
            contact,
        }
    }
}

/// The largest transaction DynamoDB accepts.
const MAX_TX_ITEMS: usize = 100;

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    /// Transactions: one per group of whole RWs (each RW with its RTs).
    pub transactions: usize,
}

impl Store {
    /// A kelurahan's units in path order: one consistent Query.
    pub async fn units(&self, kelurahan: &JurisdictionPath) -> Result<Vec<StoredUnit>, StoreError> {
        let request = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":pk", s(&keys::units_pk(kelurahan)))
            .consistent_read(true);
        self.query_all(request)
            .await?
            .into_iter()
            .map(|item| stored(kelurahan, from_item(item)?))
            .collect()
    }

    /// Adds an RW (one PutItem), or an RT with its RW's count (one
    /// transaction): `UnitExists` if it is kept already, `RwMissing` if an
    /// RT's RW is not.
    pub async fn create_unit(
        &self,
        unit: &UnitPath,
        head: &UnitHead,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let item = to_item(&new_item(unit, head, 0, by, now));
        if unit.rt_number().is_none() {
            return self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", keys::PK)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| match e.as_service_error() {
                    Some(err) if err.is_conditional_check_failed_exception() => StoreError::UnitExists,
                    _ => StoreError::from_sdk(e),
                });
        }
        let mut tx = Tx::new(&self.table);
        tx.put_new(item, Conflict::UnitExists);
        tx.update(self.count_rts(&unit.rw_path(), 1), Conflict::RwMissing);
        tx.commit(&self.client).await
    }

    /// Changes a unit's head, conditional on `version`: `VersionConflict`
    /// if it is at another, `UnitMissing` if it is not kept. One UpdateItem,
    /// which answers the unit as it is now.
    pub async fn update_unit(
        &self,
        unit: &UnitPath,
        head: &UnitHead,
        version: u64,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<StoredUnit, StoreError> {
        let result = self
            .head_update(unit, head, version, 0, by, now)
            .send_with(&self.client)
            .await;
        match result {
            Ok(out) => {
                let item = out
                    .attributes
                    .ok_or_else(|| StoreError::Corrupt("an update answered no item".into()))?;
                stored(unit.kelurahan(), from_item(item)?)
            }
            Err(e) => match e.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => match failed.item() {
                    Some(_) => Err(StoreError::VersionConflict { expected: version }),
                    None => Err(StoreError::UnitMissing),
                },
                _ => Err(StoreError::from_sdk(e)),
            },
        }
    }

    /// Removes an RT (with its RW's count, one transaction) or an RW that
    /// has no RTs (one DeleteItem): `UnitHasRts`, or `UnitMissing`.
    pub async fn delete_unit(&self, unit: &UnitPath) -> Result<(), StoreError> {
        let key = key_of(&keys::units_pk(unit.kelurahan()), &keys::unit_sk(unit));
        if unit.rt_number().is_some() {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key))
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", keys::PK)
                .build()
                .expect("table, key and condition are set");
            let mut tx = Tx::new(&self.table);
            tx.delete(delete, Conflict::UnitMissing);
            tx.update(self.count_rts(&unit.rw_path(), -1), Conflict::RwMissing);
            return tx.commit(&self.client).await;
        }
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .condition_expression("attribute_exists(#pk) AND (attribute_not_exists(#rts) OR #rts = :zero)")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#rts", "rts")
            .expression_attribute_values(":zero", AttributeValue::N("0".into()))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .return_values(ReturnValue::None)
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) => match e.as_service_error() {
                Some(DeleteItemError::ConditionalCheckFailedException(failed)) => match failed.item() {
                    Some(_) => Err(StoreError::UnitHasRts),
                    None => Err(StoreError::UnitMissing),
                },
                _ => Err(StoreError::from_sdk(e)),
            },
        }
    }

    /// Writes the units of an import into `kelurahan`, which held `existing`
    /// when read: new ones put where nothing is, kept ones changed at the
    /// version read, each RW's count moved by its new RTs. Whole RWs go
    /// together, as many as fit one transaction; a conflict stops the import
    /// where it is (what was written stays, and importing again is safe).
    pub async fn import_units(
        &self,
        existing: &[StoredUnit],
        rows: &[(UnitPath, UnitHead)],
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<ImportSummary, StoreError> {
        let kept = |path: &UnitPath| existing.iter().find(|u| u.path == *path);
        let mut rws: Vec<UnitPath> = rows.iter().map(|(p, _)| p.rw_path()).collect();
        rws.dedup();
        let mut summary = ImportSummary::default();
        let mut tx = Tx::new(&self.table);
        for rw in rws {
            let group: Vec<&(UnitPath, UnitHead)> = rows.iter().filter(|(p, _)| p.rw_path() == rw).collect();
            let new_rts = group
                .iter()
                .filter(|(p, _)| p.rt_number().is_some() && kept(p).is_none())
                .count();
            let rw_row = group.iter().find(|(p, _)| *p == rw);
            let ops = group.len() + usize::from(rw_row.is_none() && new_rts > 0);
            if tx.len() + ops > MAX_TX_ITEMS {
                tx.commit(&self.client).await?;
                summary.transactions += 1;
                tx = Tx::new(&self.table);
            }
            let delta = i64::try_from(new_rts).expect("at most 99 RTs");
            match (rw_row, kept(&rw)) {
                (Some((_, head)), None) => {
                    let count = u32::try_from(new_rts).expect("at most 99 RTs");
                    tx.put_new(
                        to_item(&new_item(&rw, head, count, by, now)),
                        Conflict::UnitExists,
                    );
                }
                (Some((_, head)), Some(old)) => {
                    let update = self.head_update(&rw, head, old.version, delta, by, now).build();
                    tx.update(
                        update.expect("table, key and expression are set"),
                        Conflict::UnitMissing,
                    );
                }
                (None, _) if delta > 0 => tx.update(self.count_rts(&rw, delta), Conflict::RwMissing),
                (None, _) => {}
            }
            for (path, head) in group.iter().filter(|(p, _)| *p != rw) {
                match kept(path) {
                    None => tx.put_new(to_item(&new_item(path, head, 0, by, now)), Conflict::UnitExists),
                    Some(old) => {
                        let update = self.head_update(path, head, old.version, 0, by, now).build();
                        tx.update(
                            update.expect("table, key and expression are set"),
                            Conflict::UnitMissing,
                        );
                    }
                }
            }
            for (path, _) in &group {
                match kept(path) {
                    Some(_) => summary.updated += 1,
                    None => summary.created += 1,
                }
            }
        }
        if tx.len() > 0 {
            tx.commit(&self.client).await?;
            summary.transactions += 1;
        }
        Ok(summary)
    }

    /// Imports a units CSV file into `kelurahan`: what is kept (one Query),
    /// every row checked against it (any problem refuses the whole file:
    /// `Ok(Err(problems))`, nothing written), then [`Store::import_units`].
    pub async fn import_units_csv(
        &self,
        contacts: &ContactCipher,
        kelurahan: &JurisdictionPath,
        text: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<ImportSummary, Vec<CsvProblem>>, StoreError> {
        let existing = self.units(kelurahan).await?;
        let kept: Vec<UnitPath> = existing.iter().map(|u| u.path.clone()).collect();
        let units = match parse_units_csv(kelurahan, text, &kept) {
            Ok(units) => units,
            Err(problems) => return Ok(Err(problems)),
        };
        let rows: Vec<(UnitPath, UnitHead)> = units
            .iter()
            .map(|u| (u.path.clone(), UnitHead::of(contacts, u)))
            .collect();
        self.import_units(&existing, &rows, by, now).await.map(Ok)
    }

    /// `ADD rts :delta` on an RW that must exist.
    fn count_rts(&self, rw: &UnitPath, delta: i64) -> Update {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(key_of(&keys::units_pk(rw.kelurahan()), &keys::unit_sk(rw))))
            .update_expression("ADD #rts :delta")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#rts", "rts")
            .expression_attribute_values(":delta", AttributeValue::N(delta.to_string()))
            .build()
            .expect("table, key and expression are set")
    }

    /// Sets a kept unit's head at the next version, conditional on
    /// `version`; moves an RW's count by `delta` in the same update.
    fn head_update(
        &self,
        unit: &UnitPath,
        head: &UnitHead,
        version: u64,
        delta: i64,
        by: &str,
        now: DateTime<Utc>,
    ) -> HeadUpdate {
        HeadUpdate {
            table: self.table.clone(),
            key: key_of(&keys::units_pk(unit.kelurahan()), &keys::unit_sk(unit)),
            head: head.clone(),
            version,
            delta,
            by: by.to_owned(),
            now,
        }
    }
}

/// One head change, sent alone (UpdateItem) or in a transaction.
struct HeadUpdate {
    table: String,
    key: super::codec::Item,
    head: UnitHead,
    version: u64,
    delta: i64,
    by: String,
    now: DateTime<Utc>,
}

impl HeadUpdate {
    fn expression(&self) -> (String, Vec<(&'static str, AttributeValue)>) {
        let mut set = "SET #name = :name, #by = :by, #at = :at, #version = #version + :one".to_owned();
        let mut values = vec![
            (":name", s(&self.head.name)),
            (":by", s(&self.by)),
            (":at", s(&super::keys::timestamp(self.now))),
            (":one", AttributeValue::N("1".into())),
            (":version", AttributeValue::N(self.version.to_string())),
        ];
        match &self.head.contact {
            HeadContact::Set(contact) => {
                set.push_str(", #contact = :contact");
                values.push((
                    ":contact",
                    serde_dynamo::to_attribute_value(contact).expect("a sealed contact serialises"),
                ));
            }
            HeadContact::Remove => set.push_str(" REMOVE #contact"),
            HeadContact::Keep => {}
        }
        if self.delta != 0 {
            set.push_str(" ADD #rts :delta");
            values.push((":delta", AttributeValue::N(self.delta.to_string())));
        }
        (set, values)
    }

    fn names(&self) -> [(&'static str, &'static str); 6] {
        [
            ("#name", "head_name"),
            ("#by", "updated_by"),
            ("#at", "updated_at"),
            ("#version", "version"),
            ("#contact", "head_contact"),
            ("#rts", "rts"),
        ]
    }

    fn build(self) -> Result<Update, aws_sdk_dynamodb::error::BuildError> {
        let (expression, values) = self.expression();
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(self.key.clone()))
            .update_expression(expression)
            .condition_expression("#version = :version");
        let keep = matches!(self.head.contact, HeadContact::Keep);
        for (name, attribute) in self.names() {
            if (self.delta != 0 || name != "#rts") && (!keep || name != "#contact") {
                update = update.expression_attribute_names(name, attribute);
            }
        }
        for (name, value) in values {
            update = update.expression_attribute_values(name, value);
        }
        update.build()
    }

    /// Alone, answering the item as it is now, or as it was when the
    /// condition fails (to tell another version from no unit).
    async fn send_with(
        self,
        client: &aws_sdk_dynamodb::Client,
    ) -> Result<
        aws_sdk_dynamodb::operation::update_item::UpdateItemOutput,
        aws_sdk_dynamodb::error::SdkError<UpdateItemError>,
    > {
        let update = self.build().expect("table, key and expression are set");
        client
            .update_item()
            .set_table_name(Some(update.table_name().to_owned()))
            .set_key(Some(update.key().clone()))
            .update_expression(update.update_expression())
            .set_condition_expression(update.condition_expression().map(str::to_owned))
            .set_expression_attribute_names(update.expression_attribute_names().cloned())
            .set_expression_attribute_values(update.expression_attribute_values().cloned())
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .return_values(ReturnValue::AllNew)
            .send()
            .await
    }
}

fn new_item(unit: &UnitPath, head: &UnitHead, rts: u32, by: &str, now: DateTime<Utc>) -> UnitItem {
    UnitItem {
        pk: keys::units_pk(unit.kelurahan()),
        sk: keys::unit_sk(unit),
        head_name: head.name.clone(),
        head_contact: match &head.contact {
            HeadContact::Set(contact) => Some(contact.clone()),
            HeadContact::Keep | HeadContact::Remove => None,
        },
        version: 1,
        rts,
        updated_at: now,
        updated_by: by.to_owned(),
    }
}

fn stored(kelurahan: &JurisdictionPath, item: UnitItem) -> Result<StoredUnit, StoreError> {
    let slug = item
        .sk
        .strip_prefix(keys::UNIT_SK_PREFIX)
        .ok_or_else(|| StoreError::Corrupt(format!("unit key {}", item.sk)))?;
    let path =
        UnitPath::parse_below(kelurahan, slug).map_err(|e| StoreError::Corrupt(format!("unit key: {e}")))?;
    Ok(StoredUnit {
        path,
        head_name: item.head_name,
        head_contact: item.head_contact,
        version: item.version,
        rts: item.rts,
        updated_at: item.updated_at,
        updated_by: item.updated_by,
    })
}
