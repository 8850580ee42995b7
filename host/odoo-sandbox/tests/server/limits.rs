//! Bad and oversized bodies, concurrent callers.

use daniel_odoo::xmlrpc::{decode_response, encode_call};
use daniel_odoo_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;

use crate::{Server, last_line, rpc};

#[tokio::test]
async fn bad_and_oversized_bodies_are_faults() {
    let sandbox = Sandbox::new(SandboxConfig::default())
        .unwrap()
        .with_max_body_bytes(1024);
    let server = Server::start(sandbox).await;
    for body in [
        &b"<methodCall><methodName>version</methodName><params>"[..],
        b"not xml at all",
        b"",
    ] {
        let (status, content_type, body) = server.http("POST", "/xmlrpc/2/common", body).await;
        assert_eq!(status, 200);
        assert!(content_type.starts_with("text/xml"));
        let fault = decode_response(&body).unwrap().unwrap_err();
        assert_eq!(fault.code, 1);
    }
    let huge = encode_call("version", &[json!("x".repeat(4096))]);
    let (status, _, body) = server
        .http("POST", "/xmlrpc/2/common", huge.as_bytes())
        .await;
    assert_eq!(status, 200);
    let fault = decode_response(&body).unwrap().unwrap_err();
    assert!(last_line(&fault).starts_with("werkzeug.exceptions.RequestEntityTooLarge"));
    // The server is still answering.
    assert!(server.rpc("common", "version", json!([])).await.is_ok());
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_all_succeed() {
    let server = Server::default().await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let addr = server.addr;
            tokio::spawn(async move {
                let (method, args) = if i % 2 == 0 {
                    ("create", json!([{"name": format!("tag {i}")}]))
                } else {
                    ("search_count", json!([[]]))
                };
                rpc(
                    addr,
                    "object",
                    "execute_kw",
                    json!(["demo", 2, "admin", "crm.tag", method, args]),
                )
                .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let count = server
        .execute_kw(
            "crm.tag",
            "search_count",
            json!([[["name", "=like", "tag %"]]]),
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(count, json!(4));
    server.shutdown().await.unwrap();
}
