//! The XML-RPC server over real HTTP on 127.0.0.1:0: the common and object services,
//! faults on the wire, bad and oversized bodies, configuration, shutdown.

use std::net::SocketAddr;

use daniel_odoo::xmlrpc::{Fault, decode_response, encode_call};
use daniel_odoo_sandbox::{Error, OdooVersion, Sandbox, SandboxConfig, serve};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    async fn start(sandbox: Sandbox) -> Self {
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

    async fn default() -> Self {
        Self::start(Sandbox::new(SandboxConfig::default()).unwrap()).await
    }

    async fn shutdown(mut self) -> std::io::Result<()> {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap()
    }

    /// A raw HTTP/1.1 exchange: status, content type, body.
    async fn http(&self, method: &str, path: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.addr,
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        // The server may answer (and close) before reading an oversized body in full.
        let _ = stream.write_all(body).await;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("headers end");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        let content_type = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type:").map(|v| v.trim().to_owned()))
            .unwrap_or_default();
        (status, content_type, raw[split + 4..].to_vec())
    }

    /// An XML-RPC call that must come back as HTTP 200 text/xml.
    async fn rpc(&self, service: &str, method: &str, params: Value) -> Result<Value, Fault> {
        let params = params.as_array().unwrap().clone();
        let body = encode_call(method, &params);
        let (status, content_type, body) = self.http("POST", &format!("/xmlrpc/2/{service}"), body.as_bytes()).await;
        assert_eq!(status, 200);
        assert!(content_type.starts_with("text/xml"), "{content_type}");
        decode_response(&body).expect("a well-formed xml-rpc response")
    }

    async fn execute_kw(&self, model: &str, method: &str, args: Value, kwargs: Value) -> Result<Value, Fault> {
        self.rpc("object", "execute_kw", json!(["demo", 2, "admin", model, method, args, kwargs])).await
    }
}

fn last_line(fault: &Fault) -> &str {
    fault.message.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default()
}

#[tokio::test]
async fn common_service() {
    let server = Server::default().await;
    let version = server.rpc("common", "version", json!([])).await.unwrap();
    assert_eq!(version["server_version"], json!("18.0"));
    assert_eq!(version["server_version_info"], json!([18, 0, 0, "final", 0, ""]));
    assert_eq!(version["protocol_version"], json!(1));
    assert_eq!(server.rpc("common", "authenticate", json!(["demo", "admin", "admin", {}])).await.unwrap(), json!(2));
    assert_eq!(server.rpc("common", "login", json!(["demo", "demo", "demo"])).await.unwrap(), json!(6));
    assert_eq!(server.rpc("common", "authenticate", json!(["demo", "admin", "wrong", {}])).await.unwrap(), json!(false));
    let fault = server.rpc("common", "authenticate", json!(["nodb", "admin", "admin", {}])).await.unwrap_err();
    assert_eq!(fault.code, 1);
    assert!(last_line(&fault).contains("database \"nodb\" does not exist"));
    let fault = server.rpc("common", "authenticate", json!(["demo", "admin", "admin"])).await.unwrap_err();
    assert!(last_line(&fault).starts_with("TypeError: exp_authenticate() missing 1 required positional argument"));
    let fault = server.rpc("common", "nope", json!([])).await.unwrap_err();
    assert_eq!(last_line(&fault), "Exception: Method not found: nope");
    assert_eq!(server.rpc("db", "list", json!([])).await.unwrap(), json!(["demo"]));
    assert_eq!(server.rpc("db", "drop", json!(["x", "demo"])).await.unwrap_err().code, 3);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn object_service_reads_and_writes() {
    let server = Server::default().await;
    let leads = server
        .execute_kw("crm.lead", "search_read", json!([[["type", "=", "opportunity"]]]), json!({"fields": ["name", "stage_id", "probability"], "limit": 2, "order": "id"}))
        .await
        .unwrap();
    assert_eq!(leads[0]["id"], json!(1));
    assert_eq!(leads[0]["stage_id"], json!([3, "Proposition"]));
    assert!(leads[0]["probability"].is_f64(), "floats travel as <double>");
    assert_eq!(leads.as_array().unwrap().len(), 2);
    let id = server.execute_kw("crm.lead", "create", json!([{"name": "Por HTTP", "type": "opportunity"}]), json!({})).await.unwrap();
    assert!(id.is_i64());
    let companies = server
        .rpc("object", "execute", json!(["demo", 2, "admin", "res.partner", "search", [["is_company", "=", true]]]))
        .await
        .unwrap();
    assert!(companies.as_array().unwrap().contains(&json!(14)));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn faults_travel_as_odoo_sends_them() {
    let server = Server::default().await;
    let bad_password = server.rpc("object", "execute_kw", json!(["demo", 2, "wrong", "crm.lead", "search", [[]]])).await.unwrap_err();
    assert_eq!((bad_password.code, bad_password.message.as_str()), (3, "Access Denied"));
    let no_uid = server.rpc("object", "execute_kw", json!(["demo", false, "admin", "crm.lead", "search", [[]]])).await.unwrap_err();
    assert_eq!(no_uid.code, 3);
    let model = server.execute_kw("no.such.model", "search", json!([[]]), json!({})).await.unwrap_err();
    assert_eq!((model.code, model.message.as_str()), (2, "Object no.such.model doesn't exist"));
    let method = server.execute_kw("crm.lead", "no_such_method", json!([]), json!({})).await.unwrap_err();
    assert_eq!(method.code, 1);
    assert!(method.message.starts_with("Traceback (most recent call last):"));
    assert_eq!(last_line(&method), "AttributeError: The method 'crm.lead.no_such_method' does not exist");
    let missing = server.execute_kw("crm.lead", "write", json!([[999999], {"name": "x"}]), json!({})).await.unwrap_err();
    assert_eq!(missing.code, 2);
    assert_eq!(missing.message, "Record does not exist or has been deleted.\n(Record: crm.lead(999999,), User: 2)");
    let field = server.execute_kw("res.users", "search_read", json!([[]]), json!({"fields": ["nope"]})).await.unwrap_err();
    assert_eq!(last_line(&field), "ValueError: Invalid field 'nope' in 'res.users'");
    let domain = server.execute_kw("crm.lead", "search", json!([["|", ["id", "=", 1]]]), json!({})).await.unwrap_err();
    assert!(last_line(&domain).contains("syntactically not correct"));
    let demo = server.rpc("object", "execute_kw", json!(["demo", 6, "demo", "crm.lead", "unlink", [[1]]])).await.unwrap_err();
    assert_eq!(demo.code, 4);
    let lost = server.execute_kw("crm.lead", "action_set_lost", json!([[3]]), json!({"lost_reason_id": 4})).await.unwrap_err();
    assert_eq!(last_line(&lost), "TypeError: cannot marshal None unless allow_none is enabled");
    let unknown = server.rpc("object", "frobnicate", json!([])).await.unwrap_err();
    assert_eq!(last_line(&unknown), "NameError: Method not available frobnicate");
    let short = server.rpc("object", "execute_kw", json!(["demo", 2, "admin", "crm.lead"])).await.unwrap_err();
    assert!(last_line(&short).starts_with("TypeError: execute_kw() missing 2 required positional arguments"));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn bad_and_oversized_bodies_are_faults() {
    let sandbox = Sandbox::new(SandboxConfig::default()).unwrap().with_max_body_bytes(1024);
    let server = Server::start(sandbox).await;
    for body in [&b"<methodCall><methodName>version</methodName><params>"[..], b"not xml at all", b""] {
        let (status, content_type, body) = server.http("POST", "/xmlrpc/2/common", body).await;
        assert_eq!(status, 200);
        assert!(content_type.starts_with("text/xml"));
        let fault = decode_response(&body).unwrap().unwrap_err();
        assert_eq!(fault.code, 1);
    }
    let huge = encode_call("version", &[json!("x".repeat(4096))]);
    let (status, _, body) = server.http("POST", "/xmlrpc/2/common", huge.as_bytes()).await;
    assert_eq!(status, 200);
    let fault = decode_response(&body).unwrap().unwrap_err();
    assert!(last_line(&fault).starts_with("werkzeug.exceptions.RequestEntityTooLarge"));
    // The server is still answering.
    assert!(server.rpc("common", "version", json!([])).await.is_ok());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn web_version_is_absent_on_17_and_18() {
    let server = Server::default().await;
    let (status, _, _) = server.http("GET", "/web/version", b"").await;
    assert_eq!(status, 404);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn concurrent_calls_all_succeed() {
    let server = Server::default().await;
    let calls = (0..8).map(|i| {
        let server = &server;
        async move {
            if i % 2 == 0 {
                server.execute_kw("crm.tag", "create", json!([{"name": format!("tag {i}")}]), json!({})).await
            } else {
                server.execute_kw("crm.lead", "search_count", json!([[]]), json!({})).await
            }
        }
    });
    let results = futures_join(calls).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let count = server.execute_kw("crm.tag", "search_count", json!([[["name", "=like", "tag %"]]]), json!({})).await.unwrap();
    assert_eq!(count, json!(4));
    server.shutdown().await.unwrap();
}

/// Runs futures concurrently on the current task (no extra dependency for `join_all`).
async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out = Vec::with_capacity(set.len());
    for f in set {
        out.push(f.await);
    }
    out
}

#[tokio::test]
async fn configuration_credentials_version_seed_and_sqlite() {
    let dir = std::env::temp_dir().join(format!("odoo-sandbox-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed = dir.join("seed.json");
    std::fs::write(&seed, daniel_odoo_sandbox::DEFAULT_SEED).unwrap();
    let sqlite = dir.join("sandbox.sqlite");
    let _ = std::fs::remove_file(&sqlite);
    let config = SandboxConfig {
        db: "pegasus".into(),
        login: "boss".into(),
        password: "s3cret".into(),
        seed: Some(seed.clone()),
        sqlite: Some(sqlite.clone()),
        version: OdooVersion::V17,
    };
    let server = Server::start(Sandbox::new(config.clone()).unwrap()).await;
    assert_eq!(server.rpc("common", "version", json!([])).await.unwrap()["server_serie"], json!("17.0"));
    assert_eq!(server.rpc("common", "authenticate", json!(["pegasus", "boss", "s3cret", {}])).await.unwrap(), json!(2));
    assert_eq!(server.rpc("common", "authenticate", json!(["pegasus", "admin", "admin", {}])).await.unwrap(), json!(false));
    let id = server
        .rpc("object", "execute_kw", json!(["pegasus", 2, "s3cret", "crm.tag", "create", [{"name": "persistente"}]]))
        .await
        .unwrap();
    server.shutdown().await.unwrap();

    let reopened = Sandbox::new(config).unwrap();
    let found = reopened.database().execute_kw(2, "crm.tag", "search", vec![json!([["name", "=", "persistente"]])], Default::default());
    assert_eq!(found.unwrap(), json!([id]));

    let missing = SandboxConfig {
        seed: Some(dir.join("missing.json")),
        ..SandboxConfig::default()
    };
    assert!(matches!(Sandbox::new(missing), Err(Error::SeedRead { .. })));
    let _ = std::fs::remove_dir_all(&dir);
}
