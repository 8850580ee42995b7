//! `POST /api/elevenlabs/handoff`: a voice agent asks for a human; the salesperson
//! of the lead or order (or the least-loaded one) gets a WhatsApp message. The work
//! is the whatsapp plugin's `message_notification` tool, under the same policy as MCP.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use serde_json::{Map, Value, json};

use super::error::{ApiError, ErrorDetail, ValidationError};
use super::validate::{Body, parse_object, phone_ok};
use crate::app::AppState;

const HANDOFF_TOOL: &str = "message_notification";
const DEFAULT_REASON: &str = "Solicita atención humana";

/// A hand-off request.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // documents the request shape for OpenAPI
pub(super) struct HandoffRequest {
    /// The caller's phone number.
    user_phone: String,
    /// Why a human is needed (default "Solicita atención humana").
    reason: Option<String>,
    conversation_id: Option<String>,
    user_name: Option<String>,
    additional_context: Option<String>,
    /// The lead whose salesperson should be told.
    lead_id: Option<i64>,
    /// The order whose salesperson should be told (if no lead).
    sale_order_id: Option<i64>,
}

fn validate(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let map = parse_object(bytes)?;
    let mut b = Body::new(&map);
    let phone = b.text("user_phone", 40);
    if let Some(p) = &phone
        && !phone_ok(p)
    {
        b.error(
            "user_phone",
            format!("'{p}' is not a valid phone number (7 to 15 digits)"),
        );
    }
    let reason = b
        .opt_text("reason", 500)
        .unwrap_or_else(|| DEFAULT_REASON.to_owned());
    let mut args = Map::new();
    for f in ["conversation_id", "user_name", "additional_context"] {
        if let Some(v) = b.opt_text(f, 2_000) {
            args.insert(f.into(), json!(v));
        }
    }
    for f in ["lead_id", "sale_order_id"] {
        if let Some(v) = b.opt_int(f, 1) {
            args.insert(f.into(), json!(v));
        }
    }
    let known = [
        "user_phone",
        "reason",
        "conversation_id",
        "user_name",
        "additional_context",
        "lead_id",
        "sale_order_id",
    ];
    for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
        b.error(key, "unknown field");
    }
    if !b.errors.is_empty() {
        return Err(ApiError::Invalid(b.errors));
    }
    args.insert("user_phone".into(), json!(phone));
    args.insert("reason".into(), json!(reason));
    Ok(args)
}

/// Notify a salesperson that a caller wants a human.
#[utoipa::path(post, path = "/api/elevenlabs/handoff", tag = "handoff",
    request_body = HandoffRequest,
    responses(
        (status = 200, description = "The salesperson was notified", body = Object),
        (status = 422, description = "Invalid fields", body = ValidationError),
        (status = 404, description = "The lead or order does not exist", body = ErrorDetail),
        (status = 502, description = "Odoo or the message provider failed", body = ErrorDetail),
        (status = 503, description = "The whatsapp plugin is not loaded", body = ErrorDetail),
    ))]
pub(super) async fn handoff(
    State(app): State<AppState>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let args = validate(&body)?;
    let out = app
        .registry
        .call(&app.engine, HANDOFF_TOOL, Value::Object(args))
        .await?;
    let s = out.structured.unwrap_or_default();
    Ok(Json(json!({
        "status": "ok",
        "message": "Salesperson notified",
        "message_sid": s.get("message_id"),
        "assigned_user_id": s.pointer("/salesperson/id"),
        "assigned_by": s.get("assigned_by"),
    })))
}
