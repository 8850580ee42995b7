//! The OpenAPI document (generated from the handlers' annotations) at
//! `/openapi.json`, and a self-contained docs page at `/docs` that renders it and
//! can send requests (no CDN: the page is embedded in the binary).

use axum::Json;
use axum::response::Html;
use utoipa::OpenApi;

use super::{handoff, health, quotation};

#[derive(OpenApi)]
#[openapi(
    info(title = "Daniel REST API", description = "Quotations, salesperson hand-off, avatar tickets, health. MCP is served at /mcp."),
    paths(quotation::create, quotation::status, handoff::handoff, crate::avatar::mint_ticket, health::health, health::ready),
    components(schemas(super::error::FieldError, super::error::ValidationError, super::error::ErrorDetail)),
    tags((name = "quotations", description = "Asynchronous quotations with tracking ids"),
         (name = "handoff", description = "Hand a caller over to a salesperson"),
         (name = "avatar", description = "Tickets for the avatar session socket"),
         (name = "health", description = "Probes")),
)]
struct ApiDoc;

/// The OpenAPI document.
pub(super) fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub(super) async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

pub(super) async fn page() -> Html<&'static str> {
    Html(include_str!("docs.html"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_document_lists_every_route() {
        let doc = serde_json::to_value(super::document()).unwrap();
        for path in [
            "/api/quotation/async",
            "/api/quotation/status/{tracking_id}",
            "/api/elevenlabs/handoff",
            "/avatar/tickets",
            "/health",
            "/ready",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path} missing");
        }
        let schemas = &doc["components"]["schemas"];
        assert!(
            schemas["QuotationRequest"]["required"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == "email")
        );
    }
}
