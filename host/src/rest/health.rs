//! `GET /health` (the process answers) and `GET /ready` (plugins loaded, Odoo
//! instances reachable).

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::app::AppState;

/// How long a readiness probe waits for each Odoo instance.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, description = "Alive", body = Object)))]
pub(super) async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// Prometheus metrics.
pub(super) async fn metrics(
    State(app): State<AppState>,
) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        app.registry.metrics.render(),
    )
}

/// Readiness: plugins loaded, every Odoo instance reachable, job store open.
#[utoipa::path(get, path = "/ready", tag = "health", responses(
    (status = 200, description = "Ready", body = Object),
    (status = 503, description = "Not ready: see which part", body = Object)))]
pub(super) async fn ready(State(app): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let status = app.registry.status();
    let plugins_ok = !status.is_empty() && status.iter().all(|s| s.state != "failed");
    let odoo = app.services.odoo.load_full().probe(PROBE_TIMEOUT).await;
    let odoo_ok = odoo.values().all(Result::is_ok);
    let odoo: serde_json::Map<String, serde_json::Value> = odoo
        .into_iter()
        .map(|(k, v)| {
            (
                k,
                v.map_or_else(
                    |e| json!({ "ok": false, "error": e }),
                    |v| json!({ "ok": true, "version": v }),
                ),
            )
        })
        .collect();
    let jobs = app.jobs.store().ping().await;
    let jobs_ok = jobs.is_ok();
    let ready = plugins_ok && odoo_ok && jobs_ok;
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        Json(json!({
            "ready": ready,
            "plugins_ok": plugins_ok,
            "odoo": odoo,
            "jobs": jobs.map_or_else(|e| json!({ "ok": false, "error": e }), |()| json!({ "ok": true })),
        })),
    )
}
