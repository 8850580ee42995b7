//! The REST surface: health, readiness and the plugin admin API.
//!
//! Admin routes live here, never in the tool catalogue: loading plugins is not
//! something an agent can call.

mod admin;
mod health;

use axum::Router;

use crate::app::AppState;

/// All REST routes.
pub fn router() -> Router<AppState> {
    Router::new().merge(health::router()).merge(admin::router())
}
