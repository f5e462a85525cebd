//! A kelurahan's RWs and RTs, kept by its staff: `/units/{path+}`.
//!
//! - `GET /units/<kelurahan>`: its units (one Query), for anyone whose scope
//!   holds the kelurahan; an RW's or RT's own login sees its own units only.
//! - `PUT /units/<kelurahan>/rw-03[/rt-01]`: add one (no `version`) or change
//!   its head (at `version`).
//! - `DELETE /units/<kelurahan>/rw-03[/rt-01]`: remove one; an RW with RTs
//!   is refused (409).
//! - `POST /units/<kelurahan>`, `text/csv`: import (add or change) many.
//!
//! Writes need an officer or admin whose scope holds the kelurahan. A head's
//! number is sealed before it is stored and never answered: a unit says
//! `has_whatsapp` only.

use aduan_shared::domain::jurisdiction::{
    CsvProblem, JurisdictionPath, Jurisdictions, Node, NodeKind, Unit, UnitError, UnitList, UnitPath,
};
use aduan_shared::domain::reporter::ContactCipher;
use aduan_shared::store::{HeadContact, StoreError, StoredUnit, UnitHead};
use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde::{Deserialize, Serialize};

use super::{json_body, ok};
use crate::auth::Official;
use crate::error::{json_text_response, ApiError, MAX_BODY_BYTES};
use crate::names::place_label;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct UnitView {
    pub path: String,
    pub kind: NodeKind,
    pub rw: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rt: Option<u8>,
    /// "RT 01 / RW 03".
    pub name: String,
    /// "RT 01 / RW 03, Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan".
    pub label: String,
    pub head_name: String,
    /// Whether a WhatsApp number is kept for the head; the number never is
    /// answered.
    pub has_whatsapp: bool,
    pub version: u64,
}

#[derive(Debug, Serialize)]
struct ListView {
    kelurahan: JurisdictionPath,
    kelurahan_name: String,
    /// Whether this caller may add, change, remove and import.
    may_edit: bool,
    units: Vec<ListedUnit>,
}

#[derive(Debug, Serialize)]
struct ListedUnit {
    #[serde(flatten)]
    unit: UnitView,
    /// An RW's RTs.
    #[serde(skip_serializing_if = "Option::is_none")]
    rts: Option<u32>,
    updated_at: DateTime<Utc>,
    updated_by: String,
}

#[derive(Debug, Deserialize)]
pub struct PutRequest {
    pub head_name: Option<String>,
    /// Absent: kept as it is; empty: removed.
    pub head_whatsapp: Option<String>,
    /// The version read; absent to add a unit that is not kept yet.
    pub version: Option<u64>,
}

/// `raw` as a kelurahan of the tree.
fn kelurahan<'a>(tree: &'a Jurisdictions, raw: &str) -> Result<&'a Node, ApiError> {
    JurisdictionPath::parse(raw)
        .ok()
        .and_then(|path| tree.node(&path))
        .filter(|node| node.kind == NodeKind::Kelurahan)
        .ok_or(ApiError::UnitNotFound)
}

/// `raw` as an RW or RT of a kelurahan of the tree.
fn unit_path(tree: &Jurisdictions, raw: &str) -> Result<UnitPath, ApiError> {
    JurisdictionPath::parse(raw)
        .ok()
        .and_then(|path| UnitPath::of(tree, &path))
        .ok_or(ApiError::UnitNotFound)
}

/// Readers: a scope that holds the kelurahan, or one of its units.
fn may_read(official: &Official, kelurahan: &JurisdictionPath) -> Result<(), ApiError> {
    if kelurahan.is_within(&official.scope) || official.scope.is_within(kelurahan) {
        Ok(())
    } else {
        Err(ApiError::OutsideScope {
            field: "path",
            scope: official.scope.clone(),
        })
    }
}

/// Writers: an officer or admin whose scope holds the kelurahan (an RW's or
/// RT's own login may not rewrite the kelurahan's list).
fn may_write(official: &Official, kelurahan: &JurisdictionPath) -> Result<(), ApiError> {
    official.require_officer()?;
    official.require_within("path", kelurahan)
}

pub fn view(
    tree: &Jurisdictions,
    path: &UnitPath,
    head_name: &str,
    has_whatsapp: bool,
    version: u64,
) -> UnitView {
    UnitView {
        path: path.to_string(),
        kind: path.kind(),
        rw: path.rw_number().get(),
        rt: path.rt_number().map(|n| n.get()),
        name: path.display_name(),
        label: place_label(tree, &path.path()),
        head_name: head_name.to_owned(),
        has_whatsapp,
        version,
    }
}

pub async fn list(
    state: &AppState,
    official: &Official,
    raw: &str,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let node = kelurahan(&state.tree, raw)?;
    may_read(official, &node.path)?;
    let stored = state.store.units(&node.path).await?;
    state
        .units
        .insert(open_all(&state.keys.contacts, node, &stored), now);
    let units = stored
        .iter()
        .filter(|u| u.path.path().is_within(&official.scope) || node.path.is_within(&official.scope))
        .map(|u| ListedUnit {
            unit: view(
                &state.tree,
                &u.path,
                &u.head_name,
                u.head_contact.is_some(),
                u.version,
            ),
            rts: u.path.rt_number().is_none().then_some(u.rts),
            updated_at: u.updated_at,
            updated_by: u.updated_by.clone(),
        })
        .collect();
    ok(&ListView {
        kelurahan: node.path.clone(),
        kelurahan_name: place_label(&state.tree, &node.path),
        may_edit: may_write(official, &node.path).is_ok(),
        units,
    })
}

/// The units of a kelurahan as the domain knows them, numbers opened; a
/// number that does not open (a key no longer configured) is left out,
/// logged by the unit's path only.
pub fn open_all(contacts: &ContactCipher, node: &Node, stored: &[StoredUnit]) -> UnitList {
    let units = stored
        .iter()
        .map(|u| {
            let head_whatsapp = u.head_contact.as_ref().and_then(|sealed| {
                contacts
                    .open_head(&u.path, sealed)
                    .inspect_err(
                        |error| tracing::error!(unit = %u.path, %error, "a head's number does not open"),
                    )
                    .ok()
            });
            Unit {
                path: u.path.clone(),
                head_name: u.head_name.clone(),
                head_whatsapp,
            }
        })
        .collect();
    UnitList::new(node, units)
}

/// The body of a PUT: the head's name and number, parsed; whether the
/// number was left out (kept as it is); the version.
pub fn put_request(path: UnitPath, bytes: &[u8]) -> Result<(Unit, bool, Option<u64>), ApiError> {
    let body: PutRequest = json_body(bytes)?;
    let name = body.head_name.unwrap_or_default();
    let unit = Unit::parse(path, &name, body.head_whatsapp.as_deref()).map_err(|e| match e {
        UnitError::BadHeadName => ApiError::invalid("head_name", e.to_string()),
        other => ApiError::invalid("head_whatsapp", other.to_string()),
    })?;
    Ok((unit, body.head_whatsapp.is_none(), body.version))
}

/// The head as written: the number sealed, or removed (`keep`: left as it is).
fn head(contacts: &ContactCipher, unit: &Unit, keep: bool) -> UnitHead {
    let head = UnitHead::of(contacts, unit);
    match head.contact {
        HeadContact::Remove if keep => UnitHead {
            contact: HeadContact::Keep,
            ..head
        },
        _ => head,
    }
}

pub async fn put(
    state: &AppState,
    official: &Official,
    raw: &str,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let path = unit_path(&state.tree, raw)?;
    may_write(official, path.kelurahan())?;
    let (unit, keep, version) = put_request(path, body)?;
    let head = head(&state.keys.contacts, &unit, keep);
    let (status, has_whatsapp, next) = match version {
        None => {
            state
                .store
                .create_unit(&unit.path, &head, &official.name, now)
                .await?;
            (StatusCode::CREATED, unit.head_whatsapp.is_some(), 1)
        }
        Some(version) => {
            let stored = state
                .store
                .update_unit(&unit.path, &head, version, &official.name, now)
                .await
                .map_err(|e| match e {
                    StoreError::VersionConflict { expected } => ApiError::UnitChanged { expected },
                    other => other.into(),
                })?;
            (StatusCode::OK, stored.head_contact.is_some(), stored.version)
        }
    };
    state.units.forget(unit.path.kelurahan());
    let answer = view(&state.tree, &unit.path, &unit.head_name, has_whatsapp, next);
    let text = serde_json::to_string(&answer).map_err(|_| ApiError::Internal)?;
    Ok(json_text_response(status, text))
}

pub async fn delete(state: &AppState, official: &Official, raw: &str) -> Result<Response<Body>, ApiError> {
    let path = unit_path(&state.tree, raw)?;
    may_write(official, path.kelurahan())?;
    state.store.delete_unit(&path).await?;
    state.units.forget(path.kelurahan());
    ok(&serde_json::json!({ "deleted": path.to_string() }))
}

pub async fn import(
    state: &AppState,
    official: &Official,
    raw: &str,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    let node = kelurahan(&state.tree, raw)?;
    may_write(official, &node.path)?;
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::TooLarge);
    }
    let text = std::str::from_utf8(body).map_err(|_| {
        ApiError::BadCsv(vec![CsvProblem {
            line: 1,
            message: "not UTF-8 text: save the file as CSV UTF-8".into(),
        }])
    })?;
    let summary = state
        .store
        .import_units_csv(&state.keys.contacts, &node.path, text, &official.name, now)
        .await;
    // Whatever part was written, this instance reads it again.
    state.units.forget(&node.path);
    let summary = summary?.map_err(ApiError::BadCsv)?;
    ok(&serde_json::json!({
        "kelurahan": node.path,
        "created": summary.created,
        "updated": summary.updated,
    }))
}

/// The units of the caller's kelurahan when their scope is one kelurahan or
/// lies inside one (for names in `GET /jurisdictions`), from the cache when
/// read within its lifetime; `None` for wider scopes.
pub async fn of_scope(
    state: &AppState,
    official: &Official,
    now: DateTime<Utc>,
) -> Result<Option<std::sync::Arc<UnitList>>, ApiError> {
    let Some(node) = official
        .scope
        .lineage()
        .into_iter()
        .find_map(|p| state.tree.node(&p).filter(|n| n.kind == NodeKind::Kelurahan))
    else {
        return Ok(None);
    };
    of_kelurahan(state, node, now).await.map(Some)
}

/// The units of the kelurahan a forward's `to` hands the case down into,
/// when `to` names a place below a kelurahan; `None` otherwise.
pub async fn for_destination(
    state: &AppState,
    to: &str,
    now: DateTime<Utc>,
) -> Result<Option<std::sync::Arc<UnitList>>, ApiError> {
    let Ok(path) = JurisdictionPath::parse(to) else {
        return Ok(None);
    };
    let Some(node) = path
        .lineage()
        .into_iter()
        .find_map(|p| state.tree.node(&p).filter(|n| n.kind == NodeKind::Kelurahan))
    else {
        return Ok(None);
    };
    if node.path == path {
        return Ok(None);
    }
    of_kelurahan(state, node, now).await.map(Some)
}

/// A kelurahan's units, from the cache when read within its lifetime.
pub async fn of_kelurahan(
    state: &AppState,
    node: &Node,
    now: DateTime<Utc>,
) -> Result<std::sync::Arc<UnitList>, ApiError> {
    if let Some(list) = state.units.fresh(&node.path, now) {
        return Ok(list);
    }
    let stored = state.store.units(&node.path).await?;
    Ok(state
        .units
        .insert(open_all(&state.keys.contacts, node, &stored), now))
}
