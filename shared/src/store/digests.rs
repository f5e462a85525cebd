//! What the daily digest run sent: one record per day and recipient
//! (`PK = DIGEST#<day>`; `SK = NODE#<path>` for a node's publish to the
//! digest topic, `OFFICIAL#<id>` for an official's copy on WhatsApp), so a
//! re-run of the same day sends nothing twice. A recipient is claimed (state
//! `sending`, with a lease) before its send and marked `sent` after it; a
//! failed send releases the claim, and a claim whose run died is taken over
//! once its lease ends.
//! Also the BatchGetItem of one item in each of many cases' partitions: the
//! cases by id the digest uses for cases that left the open partition that
//! day, the places shared on them for suggested duplicates.

use std::collections::{HashMap, HashSet};

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::KeysAndAttributes;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::codec::{from_item, key_of, s, to_item, Item};
use super::tx::holds_exactly;
use super::{keys, Store, StoreError};
use crate::domain::case::{Case, CaseId};
use crate::domain::jurisdiction::JurisdictionPath;
use crate::domain::official::OfficialId;

/// How long a day's digest records are kept (re-runs are for recent days).
pub const DIGEST_RETENTION_DAYS: i64 = 90;

const SENDING: &str = "sending";
const SENT: &str = "sent";

#[derive(Serialize, Deserialize)]
struct DigestItem {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    node: JurisdictionPath,
    /// Set on an official's WhatsApp copy of `node`'s digest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    official: Option<OfficialId>,
    state: String,
    /// While `sending`: when another run may take the claim over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lease_until: Option<String>,
    /// While `sending`: which run holds the claim, so that a run whose
    /// claim's answer was lost recognises it as its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    claim_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quiet: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sent_at: Option<DateTime<Utc>>,
    expires_at: i64,
}

/// Who one digest of a day goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestRecipient<'a> {
    /// The node's publish to the digest topic (SMS and email).
    Topic(&'a JurisdictionPath),
    /// One official registered at `node`, on WhatsApp.
    Official {
        node: &'a JurisdictionPath,
        id: &'a OfficialId,
    },
}

impl DigestRecipient<'_> {
    fn node(&self) -> &JurisdictionPath {
        match self {
            DigestRecipient::Topic(node) | DigestRecipient::Official { node, .. } => node,
        }
    }

    fn sk(&self) -> String {
        match self {
            DigestRecipient::Topic(node) => keys::digest_sk(node),
            DigestRecipient::Official { id, .. } => keys::digest_official_sk(id),
        }
    }

    fn official(&self) -> Option<OfficialId> {
        match self {
            DigestRecipient::Topic(_) => None,
            DigestRecipient::Official { id, .. } => Some((*id).clone()),
        }
    }

    fn item(&self, day: NaiveDate, state: &str) -> DigestItem {
        DigestItem {
            pk: keys::digest_pk(day),
            sk: self.sk(),
            node: self.node().clone(),
            official: self.official(),
            state: state.to_owned(),
            lease_until: None,
            claim_id: None,
            message_id: None,
            quiet: None,
            sent_at: None,
            expires_at: expiry(day),
        }
    }
}

/// What a day's digest run sent already.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SentDigests {
    /// The nodes published to the digest topic.
    pub nodes: HashSet<JurisdictionPath>,
    /// The officials who received theirs on WhatsApp.
    pub officials: HashSet<OfficialId>,
}

/// Most keys one BatchGetItem accepts.
const BATCH_GET: usize = 100;

impl Store {
    /// The digests of `day` sent already.
    pub async fn digests_sent(&self, day: NaiveDate) -> Result<SentDigests, StoreError> {
        let request = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":pk", s(&keys::digest_pk(day)))
            .consistent_read(true);
        let mut sent = SentDigests::default();
        for item in self.query_all(request).await? {
            let record: DigestItem = from_item(item)?;
            if record.state != SENT {
                continue;
            }
            match record.official {
                Some(id) => sent.officials.insert(id),
                None => sent.nodes.insert(record.node),
            };
        }
        Ok(sent)
    }

    /// Claims `to`'s digest of `day` for this run until `now + lease`:
    /// `false` if it was sent, or another run holds a live claim.
    pub async fn claim_digest(
        &self,
        day: NaiveDate,
        to: DigestRecipient<'_>,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let item = DigestItem {
            lease_until: Some(keys::timestamp(now + lease)),
            claim_id: Some(ulid::Ulid::new().to_string()),
            ..to.item(day, SENDING)
        };
        let item = to_item(&item);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item.clone()))
            .condition_expression("attribute_not_exists(#pk) OR (#state = :sending AND lease_until < :now)")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sending", s(SENDING))
            .expression_attribute_values(":now", s(&keys::timestamp(now)))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            // Our own claim, when the SDK retried one whose answer was lost.
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => {
                holds_exactly(&self.client, &self.table, &item).await
            }
            // No answer to any attempt, but one may have committed: a claim
            // left behind would make the schedule's retry (within the
            // lease) skip the recipient for the day. If the claim is ours, go on.
            Err(e) => {
                let error = StoreError::from_sdk(e);
                match holds_exactly(&self.client, &self.table, &item).await {
                    Ok(true) => Ok(true),
                    _ => Err(error),
                }
            }
        }
    }

    /// Records that `to`'s digest of `day` went out.
    pub async fn mark_digest_sent(
        &self,
        day: NaiveDate,
        to: DigestRecipient<'_>,
        message_id: &str,
        quiet: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let item = DigestItem {
            message_id: Some(message_id.to_owned()),
            quiet: Some(quiet),
            sent_at: Some(now),
            ..to.item(day, SENT)
        };
        self.put(to_item(&item)).await
    }

    /// Gives up a claim whose send failed, so a re-run sends it.
    pub async fn release_digest(&self, day: NaiveDate, to: DigestRecipient<'_>) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .key(keys::PK, s(&keys::digest_pk(day)))
            .key(keys::SK, s(&to.sk()))
            .condition_expression("#state = :sending")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sending", s(SENDING))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(e)) if e.err().is_conditional_check_failed_exception() => Ok(()),
            Err(e) => Err(StoreError::from_sdk(e)),
        }
    }

    /// Cases by id, in BatchGetItem requests of 100 (unprocessed keys asked
    /// again). Ids without a case are skipped; the order is not kept.
    pub async fn cases_by_ids(&self, ids: &[CaseId]) -> Result<Vec<Case>, StoreError> {
        let ids: Vec<&CaseId> = ids.iter().collect();
        self.case_items(&ids, keys::CASE_SK)
            .await?
            .into_iter()
            .map(from_item::<Case>)
            .collect()
    }

    /// The item with `SK` = `sk` in each of these cases' partitions (once
    /// per case), in BatchGetItem requests of 100, unprocessed keys asked
    /// again; cases without one are skipped and the order is not kept.
    pub(super) async fn case_items(&self, ids: &[&CaseId], sk: &str) -> Result<Vec<Item>, StoreError> {
        let mut unique = ids.to_vec();
        unique.sort();
        unique.dedup();
        let keys: Vec<String> = unique.iter().map(|id| keys::case_pk(id)).collect();
        let mut items = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(BATCH_GET) {
            let mut request = KeysAndAttributes::builder();
            for pk in chunk {
                request = request.keys(key_of(pk, sk));
            }
            let request = request.build().expect("keys are set");
            let mut pending = Some(HashMap::from([(self.table.clone(), request)]));
            while let Some(request_items) = pending.take().filter(|r| !r.is_empty()) {
                let out = self
                    .client
                    .batch_get_item()
                    .set_request_items(Some(request_items))
                    .send()
                    .await
                    .map_err(StoreError::from_sdk)?;
                items.extend(
                    out.responses
                        .and_then(|mut r| r.remove(&self.table))
                        .unwrap_or_default(),
                );
                pending = out.unprocessed_keys;
            }
        }
        Ok(items)
    }
}

fn expiry(day: NaiveDate) -> i64 {
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
    (midnight + Duration::days(DIGEST_RETENTION_DAYS)).timestamp()
}
