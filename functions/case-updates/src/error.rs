//! Every failure of the API, mapped once to a status and one JSON shape:
//! `{"error": {"code": "...", "message": "...", ...details}}`.

use aduan_shared::domain::jurisdiction::{CsvProblem, JurisdictionPath};
use aduan_shared::domain::ladder::Level;
use aduan_shared::domain::lifecycle::Status;
use aduan_shared::domain::merge::MergeError;
use aduan_shared::domain::timeline::MediaStorage;
use aduan_shared::notify::citizen::NotifyError;
use aduan_shared::store::StoreError;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde_json::{json, Map, Value};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no valid credentials: sign in and send the ID token")]
    Unauthenticated,
    /// Authenticated, but the token carries no usable scope or role.
    #[error("the token has no valid {0} claim")]
    BadClaims(&'static str),
    #[error("your role ({0}) may read but not act")]
    ReadOnly(&'static str),
    /// Only an admin reads who read a case (its audit trail), or registers
    /// officials: `what` they may not do.
    #[error("your role ({role}) may not {what}; an admin may")]
    AdminOnly { role: &'static str, what: &'static str },
    /// An action would move a case outside the caller's scope (`field`
    /// names the destination): taking a case out of one's area is
    /// forwarding it, not reclassifying.
    #[error("{field}: outside your scope ({scope}); you may move a case only within it")]
    OutsideScope {
        field: &'static str,
        scope: JurisdictionPath,
    },
    /// A case that does not exist or is outside the caller's scope: the same
    /// answer for both, so nobody learns of a case they may not see.
    #[error("no case with that ticket")]
    CaseNotFound,
    /// The case has no file with that media id (or its case is not visible).
    #[error("no file with that media id on this case")]
    MediaNotFound,
    /// The public photo route: no such case, or none of its photos is public.
    #[error("no public photo of that ticket")]
    NoPublicPhoto,
    #[error("the file is not in the media bucket: {}", .0.as_str())]
    MediaNotStored(MediaStorage),
    /// Not a kelurahan of the tree, or not an RW or RT of one that is kept.
    #[error("no such kelurahan, RW or RT")]
    UnitNotFound,
    #[error("that RW or RT is kept already: send its version to change it")]
    UnitExists,
    #[error("the RT's RW is not kept: add the RW first")]
    RwMissing,
    #[error("the RW still has RTs: remove them first")]
    UnitHasRts,
    #[error("the unit changed since version {expected}: reload it and decide again")]
    UnitChanged { expected: u64 },
    /// The CSV file was refused whole; each problem with its line.
    #[error("the CSV file has problems; nothing was imported")]
    BadCsv(Vec<CsvProblem>),
    /// An official registered to act from WhatsApp that does not exist, or
    /// is outside the caller's scope: the same answer for both.
    #[error("no official registered with that id")]
    OfficialNotFound,
    /// The WhatsApp number is registered to an official already (an
    /// expired registration too, until it is removed).
    #[error("that WhatsApp number is registered already: remove that registration first")]
    NumberRegistered,
    #[error("no such route")]
    NoRoute,
    #[error("method not allowed on this route")]
    MethodNotAllowed,
    #[error("the body is not valid JSON for this request: {0}")]
    MalformedJson(String),
    #[error("the body is larger than {} KB", MAX_BODY_BYTES / 1024)]
    TooLarge,
    /// Well-formed, but a value is missing or not acceptable.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("{message}")]
    IllegalTransition { status: Status, message: String },
    #[error("{message}")]
    IllegalEscalation { level: Level, message: String },
    /// A merge or its undo refused: into itself, a closed or merged case,
    /// or too late to undo.
    #[error(transparent)]
    Merge(#[from] MergeError),
    #[error("the case changed since version {expected}: reload it (now version {current}) and decide again")]
    VersionConflict {
        expected: u64,
        current: u64,
        status: Status,
    },
    #[error("another update of this case was in progress: try again")]
    Contended,
    #[error("the case store is unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
}

/// Bodies above this are refused with 413.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

impl ApiError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::BadClaims(_)
            | ApiError::ReadOnly(_)
            | ApiError::AdminOnly { .. }
            | ApiError::OutsideScope { .. } => StatusCode::FORBIDDEN,
            ApiError::CaseNotFound
            | ApiError::MediaNotFound
            | ApiError::NoPublicPhoto
            | ApiError::UnitNotFound
            | ApiError::OfficialNotFound
            | ApiError::NoRoute => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::MalformedJson(_) | ApiError::BadCsv(_) => StatusCode::BAD_REQUEST,
            ApiError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::IllegalTransition { .. }
            | ApiError::IllegalEscalation { .. }
            | ApiError::Merge(_)
            | ApiError::VersionConflict { .. }
            | ApiError::MediaNotStored(_)
            | ApiError::UnitExists
            | ApiError::RwMissing
            | ApiError::UnitHasRts
            | ApiError::UnitChanged { .. }
            | ApiError::NumberRegistered
            | ApiError::Contended => StatusCode::CONFLICT,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::BadClaims(_) => "bad_claims",
            ApiError::ReadOnly(_) | ApiError::AdminOnly { .. } => "forbidden",
            ApiError::OutsideScope { .. } => "outside_scope",
            ApiError::CaseNotFound
            | ApiError::MediaNotFound
            | ApiError::NoPublicPhoto
            | ApiError::UnitNotFound
            | ApiError::OfficialNotFound => "not_found",
            ApiError::NumberRegistered => "number_registered",
            ApiError::UnitExists => "unit_exists",
            ApiError::RwMissing => "rw_missing",
            ApiError::UnitHasRts => "unit_has_rts",
            ApiError::UnitChanged { .. } => "version_conflict",
            ApiError::BadCsv(_) => "invalid_csv",
            ApiError::MediaNotStored(_) => "media_not_stored",
            ApiError::NoRoute => "no_route",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::TooLarge => "payload_too_large",
            ApiError::Invalid { .. } => "invalid_request",
            ApiError::IllegalTransition { .. } => "illegal_transition",
            ApiError::IllegalEscalation { .. } => "illegal_escalation",
            ApiError::Merge(_) => "merge_refused",
            ApiError::VersionConflict { .. } => "version_conflict",
            ApiError::Contended => "contended",
            ApiError::Unavailable => "unavailable",
            ApiError::Internal => "internal",
        }
    }

    fn details(&self) -> Map<String, Value> {
        let mut details = Map::new();
        match self {
            ApiError::Invalid { field, .. } | ApiError::OutsideScope { field, .. } => {
                details.insert("field".into(), json!(field));
            }
            ApiError::IllegalTransition { status, .. } => {
                details.insert("status".into(), json!(status));
            }
            ApiError::IllegalEscalation { level, .. } => {
                details.insert("level".into(), json!(level));
            }
            ApiError::BadCsv(problems) => {
                let problems: Vec<Value> = problems
                    .iter()
                    .map(|p| json!({"line": p.line, "message": p.message}))
                    .collect();
                details.insert("problems".into(), json!(problems));
            }
            ApiError::MediaNotStored(status) => {
                details.insert("status".into(), json!(status.as_str()));
            }
            ApiError::VersionConflict { current, status, .. } => {
                details.insert("version".into(), json!(current));
                details.insert("status".into(), json!(status));
            }
            _ => {}
        }
        details
    }

    pub fn into_response(self) -> Response<Body> {
        let mut error = Map::new();
        error.insert("code".into(), json!(self.code()));
        error.insert("message".into(), json!(self.to_string()));
        error.extend(self.details());
        json_response(self.status(), &json!({ "error": error }))
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::BadCursor => ApiError::invalid("cursor", "not a cursor of this query"),
            StoreError::Contended => ApiError::Contended,
            StoreError::UnitExists => ApiError::UnitExists,
            StoreError::UnitMissing => ApiError::UnitNotFound,
            StoreError::RwMissing => ApiError::RwMissing,
            StoreError::UnitHasRts => ApiError::UnitHasRts,
            StoreError::NumberRegistered => ApiError::NumberRegistered,
            StoreError::Unavailable(reason) => {
                tracing::error!(%reason, "store unavailable");
                ApiError::Unavailable
            }
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::Internal
            }
        }
    }
}

impl From<NotifyError> for ApiError {
    fn from(err: NotifyError) -> Self {
        match err {
            NotifyError::Store(err) => err.into(),
            NotifyError::Contact(error) => {
                tracing::error!(%error, "configuration: a reporter's contact cannot be opened");
                ApiError::Internal
            }
        }
    }
}

pub fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    json_text_response(status, body.to_string())
}

/// `text` must already be JSON.
pub fn json_text_response(status: StatusCode, text: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::Text(text))
        .expect("status and header are valid")
}
