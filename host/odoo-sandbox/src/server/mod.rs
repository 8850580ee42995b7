//! The XML-RPC server: Odoo's `/xmlrpc/2/{common,object,db}` endpoints over axum.
//!
//! Every answer is HTTP 200 with `text/xml`, faults included, as Odoo does. Bodies are
//! read up to a limit; oversized or undecodable bodies become faults, never a crash.
//! Calls run on the blocking pool: the database takes locks and may write SQLite.
//! `GET /web/version` is not routed (404), which is how clients tell 17/18 from 19.

mod calls;
mod common;
mod object;

use std::future::Future;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use daniel_odoo::xmlrpc;
use serde_json::Value;
use tracing::Instrument;

use crate::fault::Fault;
use crate::sandbox::Sandbox;
pub use calls::{Call, CallLog};

/// Which `/xmlrpc/2/<service>` a request addressed.
#[derive(Debug, Clone, Copy)]
enum Service {
    Common,
    Object,
    Db,
}

impl Service {
    fn name(self) -> &'static str {
        match self {
            Service::Common => "common",
            Service::Object => "object",
            Service::Db => "db",
        }
    }
}

pub(crate) fn router(sandbox: Sandbox) -> Router {
    Router::new()
        .route(
            "/xmlrpc/2/common",
            post(|s: State<Sandbox>, b: Body| handle(s, b, Service::Common)),
        )
        .route(
            "/xmlrpc/2/object",
            post(|s: State<Sandbox>, b: Body| handle(s, b, Service::Object)),
        )
        .route(
            "/xmlrpc/2/db",
            post(|s: State<Sandbox>, b: Body| handle(s, b, Service::Db)),
        )
        .with_state(sandbox)
}

/// Serves the sandbox on a bound listener until `shutdown` resolves, then drains.
///
/// # Errors
/// The listener fails.
pub async fn serve(
    listener: tokio::net::TcpListener,
    sandbox: Sandbox,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, sandbox.router())
        .with_graceful_shutdown(shutdown)
        .await
}

async fn handle(State(sandbox): State<Sandbox>, body: Body, service: Service) -> Response {
    let span = tracing::debug_span!("odoo_sandbox.request", service = ?service, method = tracing::field::Empty);
    async move {
        let received = Instant::now();
        let bytes = match axum::body::to_bytes(body, sandbox.max_body_bytes).await {
            Ok(bytes) => bytes,
            Err(_) => return fault_response(&too_large()),
        };
        let (method, params) = match xmlrpc::decode_call(&bytes) {
            Ok(call) => call,
            Err(err) => {
                tracing::debug!(error = %err, "odoo_sandbox.decode failed");
                return fault_response(&Fault::internal(
                    "xml.parsers.expat.ExpatError",
                    err.to_string(),
                ));
            }
        };
        tracing::Span::current().record("method", method.as_str());
        let logged = sandbox
            .calls
            .clone()
            .map(|log| (log, calls::call_name(service.name(), &method, &params)));
        let span = tracing::Span::current();
        let answer = tokio::task::spawn_blocking(move || {
            let _entered = span.enter();
            dispatch(&sandbox, service, &method, params)
        })
        .await;
        let response = match answer {
            Ok(Ok(value)) => xml(xmlrpc::encode_response(&value)),
            Ok(Err(fault)) => fault_response(&fault),
            Err(join) => {
                tracing::error!(error = %join, "odoo_sandbox.call panicked");
                fault_response(&Fault::internal("RuntimeError", "internal error"))
            }
        };
        if let Some((log, name)) = logged {
            log.push(name, received.elapsed());
        }
        response
    }
    .instrument(span)
    .await
}

fn dispatch(
    sandbox: &Sandbox,
    service: Service,
    method: &str,
    params: Vec<Value>,
) -> Result<Value, Fault> {
    match service {
        Service::Common => common::dispatch(sandbox, method, params),
        Service::Object => object::dispatch(sandbox, method, params),
        Service::Db => common::dispatch_db(sandbox, method, params),
    }
}

fn too_large() -> Fault {
    Fault::internal(
        "werkzeug.exceptions.RequestEntityTooLarge",
        "413 Request Entity Too Large: The data value transmitted exceeds the capacity limit.",
    )
}

fn xml(body: String) -> Response {
    ([(CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
}

fn fault_response(fault: &Fault) -> Response {
    xml(xmlrpc::encode_fault(&fault.into()))
}

/// Checks the database name a call names; an unknown one fails like a missing PostgreSQL
/// database does in Odoo.
fn check_db(sandbox: &Sandbox, db: &Value) -> Result<(), Fault> {
    match db.as_str() {
        Some(name) if name == sandbox.config.db => Ok(()),
        other => Err(Fault::internal(
            "psycopg2.OperationalError",
            format!(
                "connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: FATAL:  database \"{}\" does not exist",
                other.unwrap_or_default()
            ),
        )),
    }
}

/// Python's `TypeError` for a wrong number of positional parameters.
fn arity(name: &str, params: &[Value], names: &[&str], required: usize) -> Result<(), Fault> {
    if params.len() > names.len() {
        return Err(Fault::type_error(format!(
            "{name}() takes {} positional arguments but {} were given",
            names.len(),
            params.len()
        )));
    }
    if params.len() < required {
        let missing: Vec<String> = names[params.len()..required]
            .iter()
            .map(|n| format!("'{n}'"))
            .collect();
        return Err(Fault::type_error(format!(
            "{name}() missing {} required positional argument{}: {}",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            missing.join(" and ")
        )));
    }
    Ok(())
}
