//! A Twilio-compatible Messages API: `POST /2010-04-01/Accounts/{sid}/Messages.json`
//! with HTTP basic auth and form fields `To`, `From`, `Body`, answered as Twilio does
//! (201 with the message resource; 401/400 with Twilio's error shape). Every
//! accepted message is recorded in an [`Outbox`] that tests and `GET /api/messages`
//! read. `GET` on the same path lists the recorded messages.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use base64::Engine as _;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::messaging::{Channel, Outbox, SentMessage, valid_e164};

/// Credentials the stand-in accepts (generated per run; never real ones).
#[derive(Clone)]
pub struct Account {
    pub sid: String,
    pub token: String,
}

#[derive(Clone)]
struct StandIn {
    account: Account,
    outbox: Arc<Outbox>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NewMessage {
    to: Option<String>,
    from: Option<String>,
    body: Option<String>,
}

fn error(status: StatusCode, code: u32, message: &str) -> Response {
    (
        status,
        Json(
            json!({ "code": code, "message": message, "status": status.as_u16(), "more_info": "" }),
        ),
    )
        .into_response()
}

fn authorised(headers: &HeaderMap, account: &Account) -> bool {
    let Some(encoded) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    else {
        return false;
    };
    let expected = format!("{}:{}", account.sid, account.token);
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .is_ok_and(|d| d == expected.as_bytes())
}

async fn create(
    State(s): State<StandIn>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    Form(msg): Form<NewMessage>,
) -> Response {
    if sid != s.account.sid || !authorised(&headers, &s.account) {
        return error(
            StatusCode::UNAUTHORIZED,
            20003,
            "Authentication Error - invalid username",
        );
    }
    let (Some(to), Some(from), Some(body)) = (msg.to, msg.from, msg.body) else {
        return error(
            StatusCode::BAD_REQUEST,
            21604,
            "A 'To', 'From' and 'Body' parameter are required",
        );
    };
    let (channel, number) = match to.strip_prefix("whatsapp:") {
        Some(n) => (Channel::Whatsapp, n.to_owned()),
        None => (Channel::Sms, to.clone()),
    };
    if !valid_e164(&number) {
        return error(
            StatusCode::BAD_REQUEST,
            21211,
            &format!("The 'To' number {to} is not a valid phone number."),
        );
    }
    let id = format!("SM{}", uuid::Uuid::new_v4().simple());
    let now = chrono::Utc::now();
    s.outbox.record(SentMessage {
        id: id.clone(),
        channel,
        to: number,
        from: from.clone(),
        body: body.clone(),
        at: now.to_rfc3339(),
    });
    let resource = json!({
        "sid": id, "account_sid": sid, "to": to, "from": from, "body": body, "status": "queued",
        "direction": "outbound-api", "num_segments": "1", "date_created": now.to_rfc2822(),
        "uri": format!("/2010-04-01/Accounts/{sid}/Messages/{id}.json"),
    });
    (StatusCode::CREATED, Json(resource)).into_response()
}

async fn list(State(s): State<StandIn>, Path(sid): Path<String>, headers: HeaderMap) -> Response {
    if sid != s.account.sid || !authorised(&headers, &s.account) {
        return error(
            StatusCode::UNAUTHORIZED,
            20003,
            "Authentication Error - invalid username",
        );
    }
    Json(json!({ "messages": s.outbox.messages() })).into_response()
}

/// The stand-in's router.
pub fn router(account: Account, outbox: Arc<Outbox>) -> Router {
    Router::new()
        .route(
            "/2010-04-01/Accounts/{sid}/Messages.json",
            post(create).get(list),
        )
        .with_state(StandIn { account, outbox })
}

/// Serves the stand-in on an ephemeral loopback port; returns its base URL and the
/// credentials it accepts.
///
/// # Errors
/// If no loopback port can be bound.
pub async fn start(
    outbox: Arc<Outbox>,
    shutdown: CancellationToken,
) -> std::io::Result<(String, Account)> {
    let account = Account {
        sid: format!("AC{}", uuid::Uuid::new_v4().simple()),
        token: uuid::Uuid::new_v4().simple().to_string(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = router(account.clone(), outbox);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
        {
            tracing::error!(error = %e, "twilio stand-in stopped");
        }
    });
    tracing::info!(%addr, "twilio stand-in started (messages are recorded, not sent)");
    Ok((format!("http://{addr}"), account))
}
