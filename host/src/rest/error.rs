//! REST errors, mapped to status codes once. Bodies follow the shape clients of the
//! system we replace already parse: `{"detail": …}`, and for 422 a list of
//! `{loc, msg, type}` entries, one per invalid field.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::engine::ToolError;
use crate::registry::CallError;

/// One invalid field.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub(super) struct FieldError {
    /// Where: `["body", "email"]`.
    pub(super) loc: Vec<String>,
    pub(super) msg: String,
    #[serde(rename = "type")]
    pub(super) kind: String,
}

impl FieldError {
    pub(super) fn new(field: &str, msg: impl Into<String>) -> FieldError {
        let mut loc = vec!["body".to_owned()];
        loc.extend(
            field
                .split('.')
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
        FieldError {
            loc,
            msg: msg.into(),
            kind: "value_error".into(),
        }
    }
}

/// The body of a 422 answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(super) struct ValidationError {
    pub(super) detail: Vec<FieldError>,
}

/// The body of other error answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(super) struct ErrorDetail {
    /// What went wrong.
    pub(super) detail: String,
}

/// A failed REST request.
#[derive(Debug, thiserror::Error)]
pub(super) enum ApiError {
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Denied(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Upstream(String),
    /// 503 with `Retry-After`: the host refused the work for now.
    #[error("{0}")]
    Busy(String),
    #[error("internal error")]
    Internal(String),
}

impl From<CallError> for ApiError {
    fn from(e: CallError) -> ApiError {
        match e {
            CallError::UnknownTool(t) => ApiError::Unavailable(format!(
                "the {t} tool is not loaded; check GET /api/plugins"
            )),
            CallError::InvalidArguments { message, .. } => {
                ApiError::Invalid(vec![FieldError::new("", message)])
            }
            CallError::Tool(ToolError::InvalidInput(m)) => {
                // Plugins name the field first ("email: …"): keep it as the location.
                let (field, msg) = m
                    .split_once(": ")
                    .filter(|(f, _)| !f.contains(' '))
                    .unwrap_or(("", &m));
                ApiError::Invalid(vec![FieldError::new(field, msg)])
            }
            CallError::Tool(ToolError::NotFound(m)) => ApiError::NotFound(m),
            CallError::Tool(ToolError::Denied(m)) => ApiError::Denied(m),
            CallError::Tool(ToolError::Upstream(m)) => ApiError::Upstream(m),
            CallError::Busy(m) => ApiError::Busy(m),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// What a busy host asks clients to wait before retrying, in seconds.
const RETRY_AFTER_SECS: u32 = 5;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, detail) = match &self {
            ApiError::Invalid(fields) => (StatusCode::UNPROCESSABLE_ENTITY, json!(fields)),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, json!(m)),
            ApiError::Denied(m) => (StatusCode::FORBIDDEN, json!(m)),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, json!(m)),
            ApiError::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, json!(m)),
            ApiError::Upstream(m) => (StatusCode::BAD_GATEWAY, json!(m)),
            ApiError::Busy(m) => {
                let mut resp = (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Json(json!({ "detail": m })),
                )
                    .into_response();
                resp.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(RETRY_AFTER_SECS),
                );
                return resp;
            }
            ApiError::Internal(m) => {
                tracing::error!(error = %m, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!("something went wrong; the error was logged"),
                )
            }
        };
        (status, Json(json!({ "detail": detail }))).into_response()
    }
}
