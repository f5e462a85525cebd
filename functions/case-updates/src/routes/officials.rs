//! Officials registered to act from WhatsApp (issue 21), kept by admins:
//!
//! - `POST /officials`: register one; answers the one-time code, once.
//! - `GET /officials`: those registered within the admin's scope.
//! - `GET /officials/{id}`: one; outside the scope it is a missing one.
//! - `PATCH /officials/{id}`: its name, role, `notify_below` or
//!   `digest_by_whatsapp` changed in place (no new code: the number is the
//!   one confirmed).
//! - `DELETE /officials/{id}`: removed at once, every copy.
//!
//! Registering and removing is only done here (and by the console and
//! `aduan-admin` over the same store), behind the console's MFA: never by a
//! WhatsApp command. A view shows the number masked and never the code, its
//! digest, the sealed number or the keys the official is known by.

use aduan_shared::domain::audit::Access;
use aduan_shared::domain::jurisdiction::{JurisdictionPath, Jurisdictions};
use aduan_shared::domain::official::{
    is_registrable, NewOfficial, OfficialChange, OfficialId, OfficialName, Registration, Role, Standing,
    CODE_VALID_FOR, MAX_WRONG_CODES,
};
use aduan_shared::domain::phone::PhoneNumber;
use aduan_shared::domain::reporter::ContactCipher;
use aduan_shared::store::StoreError;
use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde::{Deserialize, Serialize};

use super::{json_body, ok, required};
use crate::audit;
use crate::auth::Official;
use crate::error::{json_text_response, ApiError};
use crate::names::place_label;
use crate::state::AppState;

/// Tries of a removal or a change that lost a race with the official's own
/// message (a code checked between the read and the write).
const REMOVE_TRIES: usize = 3;

#[derive(Debug, Deserialize)]
pub struct RegisterRequest {
    pub name: Option<String>,
    pub whatsapp: Option<String>,
    pub scope: Option<String>,
    pub role: Option<String>,
    #[serde(default)]
    pub notify_below: bool,
    #[serde(default)]
    pub digest_by_whatsapp: bool,
}

/// What `PATCH /officials/{id}` may name; `whatsapp` and `scope` are named
/// only to refuse them with the way to change them.
#[derive(Debug, Deserialize)]
pub struct ChangeRequest {
    pub name: Option<String>,
    pub role: Option<String>,
    pub notify_below: Option<bool>,
    pub digest_by_whatsapp: Option<bool>,
    pub whatsapp: Option<serde_json::Value>,
    pub scope: Option<serde_json::Value>,
}

/// Whether the number has confirmed, as a screen shows it.
#[derive(Debug, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum StandingView {
    /// The code may still come, by `expires_at`, with `guesses_left`.
    Awaiting {
        expires_at: DateTime<Utc>,
        guesses_left: u8,
    },
    /// Too late, or too many wrong codes: remove it and register again.
    Expired {
        expires_at: DateTime<Utc>,
    },
    Confirmed {
        at: DateTime<Utc>,
    },
}

impl StandingView {
    fn of(r: &Registration, now: DateTime<Utc>) -> Self {
        match r.standing {
            Standing::Awaiting { expires_at, .. } if r.is_expired(now) => {
                StandingView::Expired { expires_at }
            }
            Standing::Awaiting {
                expires_at, wrong, ..
            } => StandingView::Awaiting {
                expires_at,
                guesses_left: MAX_WRONG_CODES - wrong,
            },
            Standing::Confirmed { at, .. } => StandingView::Confirmed { at },
        }
    }
}

#[derive(Debug, Serialize)]
pub struct OfficialView {
    pub id: OfficialId,
    pub name: String,
    /// `+62812****7890`; `null` if the number does not open (a contact key
    /// no longer configured).
    pub whatsapp: Option<String>,
    pub scope: JurisdictionPath,
    /// "Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan".
    pub scope_name: String,
    pub role: Role,
    pub notify_below: bool,
    /// Whether their scope's morning digest reaches them on WhatsApp.
    pub digest_by_whatsapp: bool,
    pub standing: StandingView,
    pub registered_by: String,
    pub registered_at: DateTime<Utc>,
    pub version: u64,
}

impl OfficialView {
    pub fn of(tree: &Jurisdictions, contacts: &ContactCipher, r: &Registration, now: DateTime<Utc>) -> Self {
        let whatsapp = r
            .whatsapp(contacts)
            .inspect_err(
                |error| tracing::error!(official = %r.id, %error, "an official's number does not open"),
            )
            .ok()
            .map(|number| number.masked());
        Self {
            id: r.id.clone(),
            name: r.name.as_str().to_owned(),
            whatsapp,
            scope: r.scope.clone(),
            scope_name: place_label(tree, &r.scope),
            role: r.role,
            notify_below: r.notify_below,
            digest_by_whatsapp: r.digest_by_whatsapp,
            standing: StandingView::of(r, now),
            registered_by: r.registered_by.clone(),
            registered_at: r.registered_at,
            version: r.version,
        }
    }
}

#[derive(Serialize)]
struct Registered {
    official: OfficialView,
    /// The one-time code, in this answer only.
    code: String,
    /// What the admin tells the official.
    instructions: String,
}

#[derive(Serialize)]
struct Listed {
    scope: JurisdictionPath,
    officials: Vec<OfficialView>,
}

/// Only admins keep officials.
fn require_admin(official: &Official) -> Result<(), ApiError> {
    if official.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::AdminOnly {
            role: official.role.as_str(),
            what: "register or list officials on WhatsApp",
        })
    }
}

/// The body of a POST, parsed: 422 naming the first field refused.
pub fn register_request(tree: &Jurisdictions, bytes: &[u8]) -> Result<NewOfficial, ApiError> {
    let body: RegisterRequest = json_body(bytes)?;
    let name = OfficialName::parse(&required("name", body.name)?)
        .map_err(|e| ApiError::invalid("name", e.to_string()))?;
    let whatsapp = PhoneNumber::parse(&required("whatsapp", body.whatsapp)?)
        .map_err(|e| ApiError::invalid("whatsapp", e.to_string()))?;
    let scope = JurisdictionPath::parse(&required("scope", body.scope)?)
        .ok()
        .filter(|path| is_registrable(tree, path))
        .ok_or_else(|| {
            ApiError::invalid(
                "scope",
                "not a place of the jurisdiction tree, or an RW or RT of one of its kelurahan",
            )
        })?;
    let role = Role::parse(&required("role", body.role)?)
        .ok_or_else(|| ApiError::invalid("role", "viewer, officer or admin"))?;
    Ok(NewOfficial {
        name,
        scope,
        role,
        whatsapp,
        notify_below: body.notify_below,
        digest_by_whatsapp: body.digest_by_whatsapp,
    })
}

/// The body of a PATCH, parsed: 422 naming the first field refused.
pub fn change_request(bytes: &[u8]) -> Result<OfficialChange, ApiError> {
    let body: ChangeRequest = json_body(bytes)?;
    let again = "is not changed in place: remove the registration and register again";
    if body.whatsapp.is_some() {
        return Err(ApiError::invalid("whatsapp", again));
    }
    if body.scope.is_some() {
        return Err(ApiError::invalid("scope", again));
    }
    let change = OfficialChange {
        name: body
            .name
            .map(|name| OfficialName::parse(&name).map_err(|e| ApiError::invalid("name", e.to_string())))
            .transpose()?,
        role: body
            .role
            .map(|role| {
                Role::parse(&role).ok_or_else(|| ApiError::invalid("role", "viewer, officer or admin"))
            })
            .transpose()?,
        notify_below: body.notify_below,
        digest_by_whatsapp: body.digest_by_whatsapp,
    };
    if change.is_empty() {
        return Err(ApiError::invalid(
            "name",
            "nothing to change: name one of name, role, notify_below, digest_by_whatsapp",
        ));
    }
    Ok(change)
}

/// The sentence the admin passes on with the code.
fn instructions(official: &Registration, masked: Option<&str>, code: &str) -> String {
    format!(
        "Ask {} to send the code {code} from {} to the desk's WhatsApp number within {} hours; \
         their number acts only after that. Three wrong codes end the registration. \
         The code is not shown again.",
        official.name.as_str(),
        masked.unwrap_or("the number registered"),
        CODE_VALID_FOR.num_hours(),
    )
}

pub async fn register(
    state: &AppState,
    official: &Official,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    require_admin(official)?;
    let new = register_request(&state.tree, body)?;
    official.require_within("scope", &new.scope)?;
    let (registration, code) = Registration::new(new, &state.keys, official.sub.clone(), now);
    let entry = audit::admin_act(state, official, Access::registered(&registration), now);
    state
        .store
        .register_official_audited(&registration, Some(&entry))
        .await?;
    tracing::info!(official = %registration.id, scope = %registration.scope, role = %registration.role, "official registered");
    let view = OfficialView::of(&state.tree, &state.keys.contacts, &registration, now);
    let answer = Registered {
        instructions: instructions(&registration, view.whatsapp.as_deref(), code.expose()),
        official: view,
        code: code.expose().to_owned(),
    };
    let text = serde_json::to_string(&answer).map_err(|_| ApiError::Internal)?;
    Ok(json_text_response(StatusCode::CREATED, text))
}

pub async fn list(
    state: &AppState,
    official: &Official,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    require_admin(official)?;
    let found = state.store.officials_within(&official.scope).await?;
    ok(&Listed {
        scope: official.scope.clone(),
        officials: found
            .iter()
            .map(|r| OfficialView::of(&state.tree, &state.keys.contacts, r, now))
            .collect(),
    })
}

/// The registration an id names, if the admin's scope holds it: a malformed
/// id, an unknown one and one outside the scope are the same 404.
async fn visible(state: &AppState, official: &Official, raw: &str) -> Result<Registration, ApiError> {
    let id = OfficialId::parse(raw).map_err(|_| ApiError::OfficialNotFound)?;
    match state.store.official(&id).await? {
        Some(found) if found.scope.is_within(&official.scope) => Ok(found),
        _ => Err(ApiError::OfficialNotFound),
    }
}

pub async fn get(
    state: &AppState,
    official: &Official,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    require_admin(official)?;
    let found = visible(state, official, id).await?;
    ok(&OfficialView::of(&state.tree, &state.keys.contacts, &found, now))
}

/// Changes a registration in place, with the admin's audit entry: one that
/// changed since it was read (its code just checked) is read again and the
/// change applied to it. A change that changes nothing writes nothing.
pub async fn change(
    state: &AppState,
    official: &Official,
    id: &str,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    require_admin(official)?;
    let change = change_request(body)?;
    for _ in 0..REMOVE_TRIES {
        let mut found = visible(state, official, id).await?;
        let changed = found.apply(&change);
        if changed.is_empty() {
            return ok(&OfficialView::of(&state.tree, &state.keys.contacts, &found, now));
        }
        let entry = audit::admin_act(state, official, Access::changed(&found, &changed), now);
        match state
            .store
            .change_official_audited(&mut found, Some(&entry))
            .await
        {
            Ok(()) => {
                tracing::info!(official = %found.id, role = %found.role, "official changed");
                return ok(&OfficialView::of(&state.tree, &state.keys.contacts, &found, now));
            }
            Err(StoreError::VersionConflict { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(ApiError::Contended)
}

/// Removes at once: a registration that changed since it was read (its
/// code just checked) is read again and removed at its new version.
pub async fn remove(
    state: &AppState,
    official: &Official,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Response<Body>, ApiError> {
    require_admin(official)?;
    for _ in 0..REMOVE_TRIES {
        let found = visible(state, official, id).await?;
        let entry = audit::admin_act(state, official, Access::removed(&found), now);
        match state.store.remove_official_audited(&found, Some(&entry)).await {
            Ok(()) => {
                tracing::info!(official = %found.id, scope = %found.scope, "official removed");
                return Ok(no_content());
            }
            Err(StoreError::VersionConflict { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(ApiError::Contended)
}

fn no_content() -> Response<Body> {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::Empty)
        .expect("a status is valid")
}
