//! `POST /api/quotation/async` and `GET /api/quotation/status/{tracking_id}`.
//!
//! The quotation itself runs in the crm plugin: this handler validates the request,
//! calls the plugin's `dev_create_quotation` tool (which queues the job), and answers
//! 202 with the tracking id. An `Idempotency-Key` makes a retried request return the
//! first request's tracking id instead of creating a second quotation.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, body::Bytes};
use serde_json::{Map, Value};

use super::error::{ApiError, ErrorDetail, FieldError, ValidationError};
use super::validate::{Body, email_ok, parse_object, phone_ok};
use crate::app::AppState;
use crate::jobs::{JobStore, KeyClaim};

/// The MCP tool the quotation request is handed to.
const CREATE_TOOL: &str = "dev_create_quotation";
/// Idempotency keys longer than this are refused (they are stored).
const MAX_KEY_LEN: usize = 255;

/// One product line of a quotation.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // documents the request shape for OpenAPI; parsing is field by field
pub(super) struct ProductLine {
    /// Odoo product id (> 0); find ids with the `find_products` tool.
    product_id: i64,
    /// Quantity (> 0), default 1.
    qty: Option<f64>,
    /// Unit price; omitted or ≤ 0 means the pricelist or list price.
    price: Option<f64>,
}

/// A quotation request.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub(super) struct QuotationRequest {
    /// Company name (stored on the lead).
    partner_name: String,
    /// Contact person; the name of a new customer record.
    contact_name: String,
    /// Customer e-mail (an existing customer is found by it, case-insensitively).
    email: String,
    /// Customer phone.
    phone: String,
    /// Lead title.
    lead_name: String,
    /// Product lines (if present, not empty). Takes precedence over `product_id`.
    products: Option<Vec<ProductLine>>,
    /// Legacy single product (0 = none).
    product_id: Option<i64>,
    /// Legacy quantity (> 0).
    product_qty: Option<f64>,
    /// Legacy unit price (≤ 0 = automatic).
    product_price: Option<f64>,
    /// Salesperson (0 = the least-loaded one).
    user_id: Option<i64>,
    /// Lead description (e.g. a call summary).
    description: Option<String>,
    /// Main product of the lead.
    x_studio_producto: Option<i64>,
    /// City of a new customer.
    ciudad: Option<String>,
}

/// The answer to an accepted request.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(super) struct QuotationAccepted {
    tracking_id: String,
    /// Always `queued`: the quotation is created in the background.
    status: String,
    message: String,
    status_url: String,
}

/// Parses and checks the body; every invalid field is reported.
fn validate(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let map = parse_object(bytes)?;
    let mut b = Body::new(&map);
    for f in ["partner_name", "contact_name", "lead_name"] {
        b.text(f, 200);
    }
    if let Some(email) = b.text("email", 254)
        && !email_ok(&email)
    {
        b.error("email", format!("'{email}' is not a valid e-mail address"));
    }
    if let Some(phone) = b.text("phone", 40)
        && !phone_ok(&phone)
    {
        b.error(
            "phone",
            format!("'{phone}' is not a valid phone number (7 to 15 digits)"),
        );
    }
    b.opt_int("product_id", 0);
    b.opt_int("user_id", 0);
    b.opt_int("x_studio_producto", 1);
    b.opt_number("product_qty", true);
    b.opt_number("product_price", false);
    b.opt_text("description", 10_000);
    b.opt_text("ciudad", 100);
    check_products(&mut b);
    let known = [
        "partner_name",
        "contact_name",
        "email",
        "phone",
        "lead_name",
        "products",
        "product_id",
        "product_qty",
        "product_price",
        "user_id",
        "description",
        "x_studio_producto",
        "ciudad",
    ];
    for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
        b.error(key, "unknown field");
    }
    if b.errors.is_empty() {
        Ok(map.clone())
    } else {
        Err(ApiError::Invalid(b.errors))
    }
}

fn check_products(b: &mut Body<'_>) {
    let Some(products) = b.raw("products") else {
        return;
    };
    let Some(lines) = products.as_array() else {
        b.error("products", "must be a list of {product_id, qty, price}");
        return;
    };
    if lines.is_empty() {
        b.error("products", "must not be empty when present");
    }
    for (i, line) in lines.iter().enumerate() {
        let Some(line) = line.as_object() else {
            b.error(
                &format!("products.{i}"),
                "must be an object {product_id, qty, price}",
            );
            continue;
        };
        let mut l = Body::new(line);
        match l.opt_int("product_id", 1) {
            None if l.errors.is_empty() => l.error("product_id", "field required"),
            _ => {}
        }
        l.opt_number("qty", true);
        l.opt_number("price", false);
        for e in l.errors {
            let field = e.loc.get(1).cloned().unwrap_or_default();
            b.error(&format!("products.{i}.{field}"), e.msg);
        }
    }
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    match v.to_str() {
        Ok(k) if !k.is_empty() && k.len() <= MAX_KEY_LEN => Ok(Some(k.to_owned())),
        _ => Err(ApiError::Invalid(vec![FieldError {
            loc: vec!["header".into(), "Idempotency-Key".into()],
            msg: format!("must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
            kind: "value_error".into(),
        }])),
    }
}

/// Queue a quotation.
#[utoipa::path(post, path = "/api/quotation/async", tag = "quotations",
    request_body = QuotationRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a request safely: the first request's tracking id is returned")),
    responses(
        (status = 202, description = "Queued", body = QuotationAccepted),
        (status = 422, description = "Invalid fields", body = ValidationError),
        (status = 409, description = "A request with the same Idempotency-Key is still being processed", body = ErrorDetail),
        (status = 503, description = "The quotation plugin is not loaded, or the job queue is full (then with Retry-After)", body = ErrorDetail),
    ))]
pub(super) async fn create(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let args = validate(&body)?;
    let Some(key) = key else {
        return Ok(accepted(&create_quotation(&app, args).await?));
    };
    // The key is claimed in the job store before the quotation is created, so
    // two retries racing each other, on this host or another sharing the
    // store, still produce one quotation.
    let store = app.jobs.store().clone();
    if let Some(id) = claim_key(&*store, &key).await? {
        return Ok(accepted(&id));
    }
    match create_quotation(&app, args).await {
        Ok(id) => {
            store
                .idempotency_set(&key, &id)
                .await
                .map_err(ApiError::Internal)?;
            Ok(accepted(&id))
        }
        Err(e) => {
            // Nothing was created: let a retry with the same key try again.
            if let Err(release) = store.idempotency_release(&key).await {
                tracing::warn!(error = %release, "cannot release an idempotency key");
            }
            Err(e)
        }
    }
}

/// How long a repeat waits for the first request with its key to finish.
const KEY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Claims `key`: `None` when this request should create the quotation, the
/// first request's tracking id when it already did.
async fn claim_key(store: &dyn JobStore, key: &str) -> Result<Option<String>, ApiError> {
    let deadline = tokio::time::Instant::now() + KEY_WAIT;
    loop {
        match store
            .idempotency_claim(key)
            .await
            .map_err(ApiError::Internal)?
        {
            KeyClaim::Claimed => return Ok(None),
            KeyClaim::Known(id) => return Ok(Some(id)),
            KeyClaim::Pending if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            }
            KeyClaim::Pending => {
                return Err(ApiError::Conflict(
                    "a request with this Idempotency-Key is still being processed; retry shortly"
                        .into(),
                ));
            }
        }
    }
}

/// Runs the quotation tool (which queues the job); returns the tracking id.
async fn create_quotation(app: &AppState, args: Map<String, Value>) -> Result<String, ApiError> {
    let out = app
        .registry
        .call(&app.engine, CREATE_TOOL, Value::Object(args))
        .await?;
    out.structured
        .as_ref()
        .and_then(|s| s["tracking_id"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| ApiError::Internal(format!("{CREATE_TOOL} returned no tracking_id")))
}

fn accepted(id: &str) -> Response {
    let url = format!("/api/quotation/status/{id}");
    let body = QuotationAccepted {
        tracking_id: id.to_owned(),
        status: "queued".into(),
        message: "Quotation queued; poll status_url for progress and the result.".into(),
        status_url: url.clone(),
    };
    let mut resp = (StatusCode::ACCEPTED, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&url) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// A job's status.
#[utoipa::path(get, path = "/api/quotation/status/{tracking_id}", tag = "quotations",
    params(("tracking_id" = String, Path, description = "From POST /api/quotation/async")),
    responses(
        (status = 200, description = "Status: queued, processing, completed (with result) or failed (with error)", body = Object),
        (status = 404, description = "Unknown tracking id", body = ErrorDetail),
        (status = 503, description = "The job store cannot be read right now", body = ErrorDetail),
    ))]
pub(super) async fn status(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let job = app
        .jobs
        .get(&id)
        .await
        .map_err(|e| {
            tracing::warn!(job = %id, error = %e, "cannot read job status");
            ApiError::Unavailable("the job store cannot be read right now; try again".into())
        })?
        .ok_or_else(|| ApiError::NotFound(format!("tracking id {id:?} not found")))?;
    Ok(Json(job.status_json()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(body: Value) -> Vec<String> {
        match validate(body.to_string().as_bytes()) {
            Err(ApiError::Invalid(f)) => f.into_iter().map(|e| e.loc.join(".")).collect(),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn every_invalid_field_is_named() {
        let f = fields(
            json!({"partner_name": "", "email": "nope", "phone": "x", "product_qty": 0,
            "products": [{"qty": -1}], "extra": 1}),
        );
        for want in [
            "body.partner_name",
            "body.contact_name",
            "body.lead_name",
            "body.email",
            "body.phone",
            "body.product_qty",
            "body.products.0.product_id",
            "body.products.0.qty",
            "body.extra",
        ] {
            assert!(f.contains(&want.to_owned()), "{want} missing from {f:?}");
        }
        assert_eq!(fields(json!([1])), ["body"]);
        assert_eq!(
            fields(
                json!({"partner_name": "a", "contact_name": "b", "email": "a@b.co", "phone": "5512345678",
            "lead_name": "l", "products": []})
            ),
            ["body.products"]
        );
    }

    #[test]
    fn a_good_request_passes() {
        let ok = validate(json!({"partner_name": "Acme", "contact_name": "Ana", "email": "ana@acme.mx",
            "phone": "+52 55 1234 5678", "lead_name": "Servibot - Acme", "products": [{"product_id": 26153, "qty": 2}]})
            .to_string().as_bytes());
        assert!(ok.is_ok(), "{ok:?}");
    }
}
