//! Paged index queries: an official's queue and the open cases by due time.
//! Filters the key cannot express (status, kind, level) run server-side, so a
//! page may need several reads; the cursor is the last returned item's key.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};

use super::codec::{from_item, Item};
use super::keys::{self, Index};
use super::{Store, StoreError};
use crate::domain::case::Case;
use crate::domain::jurisdiction::JurisdictionPath;
use crate::domain::kind::CaseKind;
use crate::domain::ladder::Level;
use crate::domain::lifecycle::Status;

/// Which index partition holds a scope's cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueScope {
    /// A node of the area tree; deeper than a kelurahan (RW, RT) is read from
    /// its kelurahan's partition and filtered by path.
    Area(JurisdictionPath),
    Agency(JurisdictionPath),
}

impl QueueScope {
    fn index_and_key(&self) -> (Index, String, Option<&JurisdictionPath>) {
        match self {
            QueueScope::Agency(path) => (keys::BY_AGENCY, path.to_string(), None),
            QueueScope::Area(path) => match path.depth() {
                1 => (keys::BY_KOTA, path.to_string(), None),
                2 => (keys::BY_KECAMATAN, path.to_string(), None),
                3 => (keys::BY_KELURAHAN, path.to_string(), None),
                _ => {
                    let kelurahan = path.ancestor_at(3).expect("deeper than 3");
                    (keys::BY_KELURAHAN, kelurahan.to_string(), Some(path))
                }
            },
        }
    }
}

#[derive(Debug, Clone)]
pub struct QueueQuery {
    pub scope: QueueScope,
    /// Any of these statuses; empty means all.
    pub statuses: Vec<Status>,
    pub kind: Option<CaseKind>,
    pub level: Option<Level>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: usize,
    pub cursor: Option<Cursor>,
}

impl QueueQuery {
    pub fn new(scope: QueueScope) -> Self {
        Self {
            scope,
            statuses: Vec::new(),
            kind: None,
            level: None,
            since: None,
            until: None,
            limit: 50,
            cursor: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Present when there may be more: pass it back for the next page.
    pub next: Option<Cursor>,
}

/// An opaque continuation token: the key of the last item returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(String);

impl Cursor {
    pub fn parse(raw: &str) -> Result<Self, StoreError> {
        decode(raw).map(|_| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn encode(key: &Item) -> Self {
        let map: HashMap<&str, &str> = key
            .iter()
            .filter_map(|(k, v)| v.as_s().ok().map(|s| (k.as_str(), s.as_str())))
            .collect();
        let json = serde_json::to_vec(&map).expect("a string map serialises");
        Self(URL_SAFE_NO_PAD.encode(json))
    }

    /// The start key, checked to belong to this index partition: a cursor
    /// from another query (or a forged one) never reads another partition.
    fn start_key(&self, index: Index, pk: &str) -> Result<Item, StoreError> {
        let map = decode(&self.0)?;
        let expected = [keys::PK, keys::SK, index.pk, index.sk];
        if map.len() != expected.len()
            || !expected.iter().all(|k| map.contains_key(*k))
            || map.get(index.pk).map(String::as_str) != Some(pk)
        {
            return Err(StoreError::BadCursor);
        }
        Ok(map.into_iter().map(|(k, v)| (k, AttributeValue::S(v))).collect())
    }
}

fn decode(raw: &str) -> Result<HashMap<String, String>, StoreError> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| StoreError::BadCursor)?;
    serde_json::from_slice(&bytes).map_err(|_| StoreError::BadCursor)
}

/// Reads per page are bounded so a sparse filter cannot make one request
/// walk a whole partition: the caller gets a short page and a cursor.
const MAX_READS_PER_PAGE: usize = 8;
const READ_BATCH: usize = 100;

/// Items to ask for next: without a filter every item read is returned, so
/// exactly the rest of the page (reading more is paid for and dropped);
/// with one, a batch, as the filter may drop many.
fn batch(filtered: bool, rest_of_page: usize) -> i32 {
    let n = if filtered {
        READ_BATCH
    } else {
        rest_of_page.min(READ_BATCH)
    };
    n.max(1) as i32
}

struct IndexQuery<'a> {
    index: Index,
    pk: String,
    sk_range: (Option<String>, Option<String>),
    newest_first: bool,
    filter: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
    limit: usize,
    cursor: Option<&'a Cursor>,
}

async fn run(store: &Store, q: IndexQuery<'_>) -> Result<Page<Case>, StoreError> {
    let mut key_condition = "#ipk = :ipk".to_owned();
    let mut names = q.names.clone();
    let mut values = q.values.clone();
    names.insert("#ipk".into(), q.index.pk.into());
    values.insert(":ipk".into(), AttributeValue::S(q.pk.clone()));
    match &q.sk_range {
        (Some(from), Some(to)) => {
            key_condition.push_str(" AND #isk BETWEEN :from AND :to");
            values.insert(":from".into(), AttributeValue::S(from.clone()));
            values.insert(":to".into(), AttributeValue::S(to.clone()));
        }
        (Some(from), None) => {
            key_condition.push_str(" AND #isk >= :from");
            values.insert(":from".into(), AttributeValue::S(from.clone()));
        }
        (None, Some(to)) => {
            key_condition.push_str(" AND #isk <= :to");
            values.insert(":to".into(), AttributeValue::S(to.clone()));
        }
        (None, None) => {}
    }
    if q.sk_range != (None, None) {
        names.insert("#isk".into(), q.index.sk.into());
    }
    let filter = (!q.filter.is_empty()).then(|| {
        q.filter
            .iter()
            .map(|clause| format!("({clause})"))
            .collect::<Vec<_>>()
            .join(" AND ")
    });
    let mut start = q.cursor.map(|c| c.start_key(q.index, &q.pk)).transpose()?;
    let mut items = Vec::new();
    for _ in 0..MAX_READS_PER_PAGE {
        let out = store
            .client
            .query()
            .table_name(&store.table)
            .index_name(q.index.name)
            .key_condition_expression(&key_condition)
            .set_filter_expression(filter.clone())
            .set_expression_attribute_names(Some(names.clone()))
            .set_expression_attribute_values(Some(values.clone()))
            .scan_index_forward(!q.newest_first)
            .limit(batch(filter.is_some(), q.limit - items.len()))
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .map_err(StoreError::from_sdk)?;
        for item in out.items.unwrap_or_default() {
            let key = key_of(&item, q.index);
            items.push((key, from_item::<Case>(item)?));
            if items.len() == q.limit {
                let next = Some(Cursor::encode(&items.last().expect("not empty").0));
                return Ok(Page {
                    items: items.into_iter().map(|(_, c)| c).collect(),
                    next,
                });
            }
        }
        match out.last_evaluated_key {
            Some(last) => start = Some(last),
            None => {
                return Ok(Page {
                    items: items.into_iter().map(|(_, c)| c).collect(),
                    next: None,
                })
            }
        }
    }
    Ok(Page {
        items: items.into_iter().map(|(_, c)| c).collect(),
        next: start.map(|last| Cursor::encode(&last)),
    })
}

fn key_of(item: &Item, index: Index) -> Item {
    [keys::PK, keys::SK, index.pk, index.sk]
        .into_iter()
        .filter_map(|k| item.get(k).map(|v| (k.to_owned(), v.clone())))
        .collect()
}

pub(super) async fn queue(store: &Store, query: &QueueQuery) -> Result<Page<Case>, StoreError> {
    let (index, pk, below) = query.scope.index_and_key();
    let mut q = IndexQuery {
        index,
        pk,
        sk_range: (
            query.since.map(keys::timestamp),
            query.until.map(keys::upper_bound),
        ),
        newest_first: true,
        filter: Vec::new(),
        names: HashMap::new(),
        values: HashMap::new(),
        limit: query.limit.max(1),
        cursor: query.cursor.as_ref(),
    };
    if !query.statuses.is_empty() {
        let placeholders: Vec<String> = (0..query.statuses.len()).map(|i| format!(":st{i}")).collect();
        for (p, status) in placeholders.iter().zip(&query.statuses) {
            q.values
                .insert(p.clone(), AttributeValue::S(status.as_str().into()));
        }
        q.names.insert("#status".into(), "status".into());
        q.filter.push(format!("#status IN ({})", placeholders.join(", ")));
    }
    if let Some(kind) = query.kind {
        q.names.insert("#kind".into(), "kind".into());
        q.values
            .insert(":kind".into(), AttributeValue::S(kind.as_str().into()));
        q.filter.push("#kind = :kind".into());
    }
    if let Some(level) = &query.level {
        q.names.insert("#level".into(), "level".into());
        q.values
            .insert(":level".into(), AttributeValue::S(level.to_string()));
        q.filter.push("#level = :level".into());
    }
    if let Some(path) = below {
        q.names.insert("#jur".into(), "jurisdiction".into());
        q.values
            .insert(":jur".into(), AttributeValue::S(path.to_string()));
        q.values
            .insert(":jurbelow".into(), AttributeValue::S(path.with_trailing_slash()));
        // A unit's cases: those filed under it, and those handed down to it.
        q.names.insert("#down".into(), "handed_down_to".into());
        q.filter.push(
            "#jur = :jur OR begins_with(#jur, :jurbelow) OR #down = :jur OR begins_with(#down, :jurbelow)"
                .into(),
        );
    }
    run(store, q).await
}

pub(super) async fn open_cases(
    store: &Store,
    due_by: Option<DateTime<Utc>>,
    limit: usize,
    cursor: Option<&Cursor>,
) -> Result<Page<Case>, StoreError> {
    cases_by_time(store, keys::OPEN_CASES, due_by, limit, cursor).await
}

/// Cases of one partition of `by_time` (`OPEN` by due time, `FILES` by
/// close time), oldest first, those at or before `by` when given.
pub(super) async fn cases_by_time(
    store: &Store,
    partition: &str,
    by: Option<DateTime<Utc>>,
    limit: usize,
    cursor: Option<&Cursor>,
) -> Result<Page<Case>, StoreError> {
    run(
        store,
        IndexQuery {
            index: keys::BY_TIME,
            pk: partition.to_owned(),
            sk_range: (None, by.map(keys::upper_bound)),
            newest_first: false,
            filter: Vec::new(),
            names: HashMap::new(),
            values: HashMap::new(),
            limit: limit.max(1),
            cursor,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfiltered_pages_read_only_what_they_return() {
        assert_eq!(batch(false, 50), 50);
        assert_eq!(batch(false, 1), 1);
        assert_eq!(batch(false, 500), READ_BATCH as i32);
        // A filter may drop what is read: a whole batch, even for a short page.
        assert_eq!(batch(true, 3), READ_BATCH as i32);
    }
}
