//! The REST surface: quotations, salesperson hand-off, health, metrics, OpenAPI
//! docs and the plugin admin API.
//!
//! Admin routes live here, never in the tool catalogue: loading plugins is not
//! something an agent can call. Errors map to statuses once, in [`error`].

mod admin;
mod docs;
mod error;
mod handoff;
mod health;
mod quotation;
mod validate;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

/// All REST routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(admin::router())
        .route("/api/quotation/async", post(quotation::create))
        .route(
            "/api/quotation/status/{tracking_id}",
            get(quotation::status),
        )
        .route("/api/elevenlabs/handoff", post(handoff::handoff))
        .route("/metrics", get(health::metrics))
        .route("/openapi.json", get(docs::openapi_json))
        .route("/docs", get(docs::page))
}
