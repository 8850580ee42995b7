//! HTTP for XML-RPC calls to one instance: a reqwest client whose keep-alive pool is sized
//! to the instance, a semaphore bounding concurrent calls, bodies bounded by
//! [`xmlrpc::MAX_BODY_BYTES`], and one retry of idempotent calls on a connection that closed
//! before answering (a stale keep-alive socket). Timeouts per call are the caller's.

use std::error::Error as _;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{StatusCode, Url};
use serde_json::Value;
use tokio::sync::Semaphore;
use tracing::debug;

use super::{Error, InstanceConfig};
use crate::xmlrpc::{self, Fault, MAX_BODY_BYTES};

/// Time allowed to open a TCP (and TLS) connection.
///
/// A few seconds: loopback and LAN connects take milliseconds, so an Odoo that does not
/// accept by then is down, and the caller should learn it long before the call timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// How long an idle kept-alive connection stays in the pool.
///
/// Below common server and proxy idle timeouts (nginx: 75 s), so the pool rarely hands out
/// a socket the server already closed; the read retry covers the remaining races.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// Answers larger than this are decoded on the blocking pool: a multi-megabyte body takes
/// long enough to decode to stall the other tasks of a runtime worker.
const BLOCKING_DECODE_BYTES: usize = 1 << 20;

pub(super) struct Transport {
    instance: String,
    http: reqwest::Client,
    permits: Semaphore,
}

/// A failed attempt: worth one retry for an idempotent call, or final.
enum Failure {
    ClosedBeforeAnswer(reqwest::Error),
    Final(Error),
}

impl Transport {
    pub(super) fn new(config: &InstanceConfig) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(DEFAULT_CONNECT_TIMEOUT.min(config.timeout))
            .pool_max_idle_per_host(config.max_connections)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            // A POST redirected to GET would reach Odoo as a different call; report it.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("daniel-odoo/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config {
                instance: config.name.clone(),
                key: "url",
                value: config.url.clone(),
                rule: format!("no http client for it: {e}"),
            })?;
        Ok(Transport {
            instance: config.name.clone(),
            http,
            permits: Semaphore::new(config.max_connections),
        })
    }

    /// Posts an encoded call; `idempotent` allows one retry on a connection that closed
    /// before any answer.
    pub(super) async fn call(
        &self,
        url: &Url,
        call: &str,
        body: String,
        idempotent: bool,
    ) -> Result<Result<Value, Fault>, Error> {
        let body = Bytes::from(body);
        let failure = match self.attempt(url, call, body.clone()).await {
            Ok(answer) => return Ok(answer),
            Err(Failure::ClosedBeforeAnswer(source)) if idempotent => {
                debug!(call, error = %source, "connection closed before the answer; retrying once");
                match self.attempt(url, call, body).await {
                    Ok(answer) => return Ok(answer),
                    Err(failure) => failure,
                }
            }
            Err(failure) => failure,
        };
        Err(match failure {
            Failure::ClosedBeforeAnswer(source) => Error::ConnectionLost {
                instance: self.instance.clone(),
                call: call.to_owned(),
                source,
            },
            Failure::Final(error) => error,
        })
    }

    async fn attempt(
        &self,
        url: &Url,
        call: &str,
        body: Bytes,
    ) -> Result<Result<Value, Fault>, Failure> {
        let permit = self.permits.acquire().await.map_err(|_| {
            Failure::Final(self.protocol(call, "connection pool closed".into(), None))
        })?;
        let response = self
            .http
            .post(url.clone())
            .header(CONTENT_TYPE, "text/xml")
            .body(body)
            .send()
            .await
            .map_err(|e| self.classify(url, call, e))?;
        if response.status() != StatusCode::OK {
            return Err(Failure::Final(self.bad_status(url, call, &response)));
        }
        let body = self.read_body(call, response).await?;
        drop(permit);
        let decoded = if body.len() > BLOCKING_DECODE_BYTES {
            tokio::task::spawn_blocking(move || xmlrpc::decode_response(&body))
                .await
                .map_err(|e| {
                    let detail = format!("decoding the answer failed: {e}");
                    Failure::Final(self.protocol(call, detail, None))
                })?
        } else {
            xmlrpc::decode_response(&body)
        };
        decoded.map_err(|e| {
            let detail = "undecodable xml-rpc answer".to_owned();
            Failure::Final(self.protocol(call, detail, Some(Box::new(e))))
        })
    }

    fn classify(&self, url: &Url, call: &str, error: reqwest::Error) -> Failure {
        if error.is_connect() {
            Failure::Final(Error::Unreachable {
                instance: self.instance.clone(),
                url: url.origin().ascii_serialization(),
                source: error,
            })
        } else if closed_before_answer(&error) {
            Failure::ClosedBeforeAnswer(error)
        } else {
            Failure::Final(Error::ConnectionLost {
                instance: self.instance.clone(),
                call: call.to_owned(),
                source: error,
            })
        }
    }

    fn bad_status(&self, url: &Url, call: &str, response: &reqwest::Response) -> Error {
        let status = response.status();
        let mut detail = format!("http status {status} from {}", url.path());
        if status.is_redirection() {
            let target = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok());
            detail.push_str(&format!(
                " (redirect to {}; configure the final url)",
                target.unwrap_or("an unnamed location")
            ));
        }
        self.protocol(call, detail, None)
    }

    async fn read_body(
        &self,
        call: &str,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, Failure> {
        let too_large = |size: u64| {
            let detail =
                format!("answer of {size} bytes or more exceeds the {MAX_BODY_BYTES}-byte limit");
            Failure::Final(self.protocol(call, detail, None))
        };
        let announced = response.content_length().unwrap_or(0);
        if announced > MAX_BODY_BYTES as u64 {
            return Err(too_large(announced));
        }
        let mut body = Vec::with_capacity(announced.min(1 << 20) as usize);
        while let Some(chunk) = response.chunk().await.map_err(|source| {
            Failure::Final(Error::ConnectionLost {
                instance: self.instance.clone(),
                call: call.to_owned(),
                source,
            })
        })? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_large((body.len() + chunk.len()) as u64));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn protocol(&self, call: &str, detail: String, source: Option<Box<xmlrpc::Error>>) -> Error {
        Error::Protocol {
            instance: self.instance.clone(),
            call: call.to_owned(),
            detail,
            source,
        }
    }
}

/// Whether the connection closed (EOF or reset) before any response arrived: what a stale
/// keep-alive socket looks like.
fn closed_before_answer(error: &reqwest::Error) -> bool {
    let mut cause = error.source();
    while let Some(e) = cause {
        if let Some(hyper_error) = e.downcast_ref::<hyper::Error>()
            && hyper_error.is_incomplete_message()
        {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::UnexpectedEof
            )
        {
            return true;
        }
        cause = e.source();
    }
    false
}
