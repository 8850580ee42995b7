//! A fake Odoo on 127.0.0.1:0: a small axum router speaking XML-RPC with the crate's codec.
//!
//! `common` answers `version` and `authenticate` (uid or `False`); `object` checks db, uid
//! and secret like Odoo (fault 3 "Access Denied" otherwise) and hands `execute_kw` to the
//! test's handler. The listener can drop the next N responses after the handler ran, which
//! the client sees as a connection closed before the answer. Shared by tests and the bench.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::routing::post;
use daniel_odoo::xmlrpc::{self, Fault};
use daniel_odoo::{InstanceConfig, Secret};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

pub(crate) const DB: &str = "odoo";
pub(crate) const LOGIN: &str = "admin";
pub(crate) const SECRET: &str = "api-key-123";

/// What the handler wants answered for one `execute_kw`.
pub(crate) enum Reply {
    Value(Value),
    Fault(i32, String),
    /// Answer `true` after this long (for timeouts).
    Sleep(Duration),
}

type Handler = dyn Fn(&str, &str, &Value, &Value) -> Reply + Send + Sync;

pub(crate) struct FakeState {
    /// The uid `authenticate` returns and `execute_kw` accepts.
    pub(crate) uid: AtomicI64,
    pub(crate) authenticate_calls: AtomicUsize,
    pub(crate) version_calls: AtomicUsize,
    pub(crate) execute_calls: AtomicUsize,
    /// Responses still to drop (connection closed after the handler ran).
    pub(crate) drop_responses: AtomicUsize,
    handler: Box<Handler>,
}

pub(crate) struct FakeOdoo {
    pub(crate) addr: SocketAddr,
    pub(crate) state: Arc<FakeState>,
}

impl FakeOdoo {
    pub(crate) async fn start(
        handler: impl Fn(&str, &str, &Value, &Value) -> Reply + Send + Sync + 'static,
    ) -> FakeOdoo {
        let state = Arc::new(FakeState {
            uid: AtomicI64::new(2),
            authenticate_calls: AtomicUsize::new(0),
            version_calls: AtomicUsize::new(0),
            execute_calls: AtomicUsize::new(0),
            drop_responses: AtomicUsize::new(0),
            handler: Box::new(handler),
        });
        let router = Router::new()
            .route("/xmlrpc/2/common", post(common))
            .route("/xmlrpc/2/object", post(object))
            .with_state(Arc::clone(&state));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let listener = FlakyListener {
            inner: listener,
            state: Arc::clone(&state),
        };
        // Lives as long as the test's runtime; nothing to drain.
        tokio::spawn(async move { axum::serve(listener, router).await });
        FakeOdoo { addr, state }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub(crate) fn config(&self) -> InstanceConfig {
        InstanceConfig::new("fake", self.url(), DB, LOGIN, Secret::new(SECRET))
    }

    pub(crate) fn count(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::SeqCst)
    }
}

fn xml(body: String) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    ([(CONTENT_TYPE, "text/xml")], body)
}

fn fault(code: i32, message: &str) -> String {
    xmlrpc::encode_fault(&Fault {
        code,
        message: message.to_owned(),
    })
}

async fn common(
    State(state): State<Arc<FakeState>>,
    body: Bytes,
) -> impl axum::response::IntoResponse {
    let (method, params) = xmlrpc::decode_call(&body).expect("client sent valid xml-rpc");
    xml(match method.as_str() {
        "version" => {
            state.version_calls.fetch_add(1, Ordering::SeqCst);
            xmlrpc::encode_response(&json!({
                "server_version": "19.0",
                "server_version_info": [19, 0, 0, "final", 0, ""],
                "server_serie": "19.0",
                "protocol_version": 1,
            }))
        }
        "authenticate" => {
            state.authenticate_calls.fetch_add(1, Ordering::SeqCst);
            let ok =
                params.len() == 4 && params[0] == DB && params[1] == LOGIN && params[2] == SECRET;
            let uid = state.uid.load(Ordering::SeqCst);
            xmlrpc::encode_response(&if ok { json!(uid) } else { json!(false) })
        }
        other => fault(1, &format!("Traceback...\nKeyError: '{other}'")),
    })
}

async fn object(
    State(state): State<Arc<FakeState>>,
    body: Bytes,
) -> impl axum::response::IntoResponse {
    let (method, params) = xmlrpc::decode_call(&body).expect("client sent valid xml-rpc");
    assert_eq!(method, "execute_kw");
    state.execute_calls.fetch_add(1, Ordering::SeqCst);
    let [db, uid, secret, model, method, args, kwargs] =
        <[Value; 7]>::try_from(params).expect("7 params");
    if db != DB {
        return xml(fault(
            1,
            "Traceback...\npsycopg2.OperationalError: database does not exist",
        ));
    }
    if uid != state.uid.load(Ordering::SeqCst) || secret != SECRET {
        return xml(fault(3, "Access Denied"));
    }
    let (model, method) = (model.as_str().unwrap_or(""), method.as_str().unwrap_or(""));
    xml(match (state.handler)(model, method, &args, &kwargs) {
        Reply::Value(value) => xmlrpc::encode_response(&value),
        Reply::Fault(code, message) => fault(code, &message),
        Reply::Sleep(pause) => {
            tokio::time::sleep(pause).await;
            xmlrpc::encode_response(&json!(true))
        }
    })
}

/// Accepts TCP connections whose writes can be made to fail on demand.
struct FlakyListener {
    inner: TcpListener,
    state: Arc<FakeState>,
}

impl axum::serve::Listener for FlakyListener {
    type Io = FlakyStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if let Ok((stream, addr)) = self.inner.accept().await {
                let state = Arc::clone(&self.state);
                return (
                    FlakyStream {
                        inner: stream,
                        state,
                        dead: false,
                    },
                    addr,
                );
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A stream that, while `drop_responses` is above zero, fails the next response write and
/// then reads as closed: the server drops the connection without answering.
struct FlakyStream {
    inner: TcpStream,
    state: Arc<FakeState>,
    dead: bool,
}

impl AsyncRead for FlakyStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.dead {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for FlakyStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let drop_now = self
            .state
            .drop_responses
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if self.dead || drop_now {
            self.dead = true;
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "fake odoo dropped the response",
            )));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
