//! The XML-RPC server over real HTTP on 127.0.0.1:0: the common and object services,
//! faults on the wire, bad and oversized bodies, configuration, shutdown.

mod common;
mod config;
mod limits;
mod object;

use std::net::SocketAddr;

use daniel_odoo::xmlrpc::{Fault, decode_response, encode_call};
use daniel_odoo_sandbox::{Sandbox, SandboxConfig, serve};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    pub(crate) async fn start(sandbox: Sandbox) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, sandbox, async {
            let _ = stopped.await;
        }));
        Server {
            addr,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub(crate) async fn default() -> Self {
        Self::start(Sandbox::new(SandboxConfig::default()).unwrap()).await
    }

    pub(crate) async fn shutdown(mut self) -> std::io::Result<()> {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap()
    }

    pub(crate) async fn http(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> (u16, String, Vec<u8>) {
        http(self.addr, method, path, body).await
    }

    pub(crate) async fn rpc(
        &self,
        service: &str,
        method: &str,
        params: Value,
    ) -> Result<Value, Fault> {
        rpc(self.addr, service, method, params).await
    }

    pub(crate) async fn execute_kw(
        &self,
        model: &str,
        method: &str,
        args: Value,
        kwargs: Value,
    ) -> Result<Value, Fault> {
        self.rpc(
            "object",
            "execute_kw",
            json!(["demo", 2, "admin", model, method, args, kwargs]),
        )
        .await
    }
}

/// A raw HTTP/1.1 exchange: status, content type, body.
pub(crate) async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        addr,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The server may answer (and close) before reading an oversized body in full.
    let _ = stream.write_all(body).await;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_default();
    (status, content_type, raw[split + 4..].to_vec())
}

/// An XML-RPC call that must come back as HTTP 200 text/xml.
pub(crate) async fn rpc(
    addr: SocketAddr,
    service: &str,
    method: &str,
    params: Value,
) -> Result<Value, Fault> {
    let params = params.as_array().unwrap().clone();
    let body = encode_call(method, &params);
    let (status, content_type, body) = http(
        addr,
        "POST",
        &format!("/xmlrpc/2/{service}"),
        body.as_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/xml"), "{content_type}");
    decode_response(&body).expect("a well-formed xml-rpc response")
}

pub(crate) fn last_line(fault: &Fault) -> &str {
    fault
        .message
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
}
