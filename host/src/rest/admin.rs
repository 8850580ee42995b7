//! `GET /api/plugins` (status of every plugin) and `POST /api/plugins/reload`
//! (re-read `plugins.toml` and the plugin folder now). The guard requires the admin
//! token for the POST.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::app::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/plugins", get(list))
        .route("/api/plugins/reload", post(reload))
        .route("/api/messages", get(messages))
}

/// Messages recorded by the offline Twilio stand-in (empty when real Twilio is used).
async fn messages(State(app): State<AppState>) -> Json<serde_json::Value> {
    Json(json!({ "messages": app.outbox.messages() }))
}

async fn list(State(app): State<AppState>) -> Json<serde_json::Value> {
    Json(json!({
        "config_error": app.registry.config_error(),
        "plugins": app.registry.status(),
    }))
}

async fn reload(State(app): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let outcome = app.reload().await;
    let code = if outcome.config_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        code,
        Json(json!({
            "changed": outcome.changed,
            "config_error": outcome.config_error,
            "failed": outcome.failed.into_iter().map(|(plugin, error)| json!({"plugin": plugin, "error": error})).collect::<Vec<_>>(),
            "plugins": app.registry.status(),
        })),
    )
}
