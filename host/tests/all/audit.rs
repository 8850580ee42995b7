//! Audit logs reach a real S3-compatible server (s3s-fs on loopback, SigV4 checked)
//! exactly once, also when the store is down for a while.

use std::path::Path;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::json;

use crate::support::{OFFLINE_INSTANCE, TestHost, wait_until};

const KEY_ID: &str = "AKIDDANIELTEST";
const SECRET: &str = "daniel-test-secret";

/// Serves an S3-compatible store rooted at `root` on `listener` until dropped.
fn serve_s3(listener: tokio::net::TcpListener, root: &Path) -> tokio::task::JoinHandle<()> {
    let fs = s3s_fs::FileSystem::new(root)
        .map_err(|e| format!("{e:?}"))
        .unwrap();
    let mut builder = s3s::service::S3ServiceBuilder::new(fs);
    builder.set_auth(s3s::auth::SimpleAuth::from_single(KEY_ID, SECRET));
    let service = builder.build();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let service = service.clone();
            tokio::spawn(async move {
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    })
}

fn audit_config(port: u16) -> String {
    format!(
        "{OFFLINE_INSTANCE}\n[audit]\nspool_dir = \"audit\"\ns3_bucket = \"logs\"\ns3_prefix = \"daniel\"\n\
         s3_endpoint = \"http://127.0.0.1:{port}\"\ns3_region = \"us-east-1\"\n\
         s3_access_key_id = \"{KEY_ID}\"\ns3_secret_access_key = \"{SECRET}\"\n"
    )
}

/// Every object under `root/logs`, as keys.
fn objects(root: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, base, out);
            } else if !p.file_name().unwrap().to_string_lossy().starts_with('.') {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(&root.join("logs"), &root.join("logs"), &mut out);
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_arrive_once_even_when_s3_is_down_for_a_while() {
    let store = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(store.path().join("logs")).unwrap();
    // Reserve a port, leave it closed: S3 is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let host = TestHost::start(&audit_config(port), &[]).await;
    for i in 0..3 {
        host.state.audit.record(
            "handoff",
            &format!("h{i}"),
            json!({"user_phone": "+5215512345678", "n": i}),
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        host.state.audit.spool().pending().len(),
        3,
        "nothing is lost while S3 is down"
    );
    assert!(objects(store.path()).is_empty());

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let _s3 = serve_s3(listener, store.path());
    wait_until("all uploaded", async || {
        host.state.audit.spool().pending().is_empty()
    })
    .await;
    let keys = objects(store.path());
    assert_eq!(keys.len(), 3, "{keys:?}");
    let month = chrono::Utc::now().format("%Y/%m").to_string();
    for (i, key) in keys.iter().enumerate() {
        assert_eq!(key, &format!("daniel/{month}/handoff_h{i}.json"));
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(store.path().join("logs").join(key)).unwrap())
                .unwrap();
        assert_eq!(doc["user_phone"], "***", "PII is redacted");
        assert_eq!(doc["n"], i);
    }
    // A later document goes straight up, and nothing is uploaded twice.
    host.state.audit.record(
        "quotation",
        "quot_000000000001",
        json!({"status": "completed"}),
    );
    wait_until("fourth upload", async || objects(store.path()).len() == 4).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(objects(store.path()).len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_left_pending_by_a_previous_run_are_uploaded_at_start() {
    let store = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(store.path().join("logs")).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let _s3 = serve_s3(listener, store.path());
    // A spool from an earlier run, written before the host starts.
    let spool_dir = tempfile::tempdir().unwrap();
    let spool = daniel::audit::Spool::open(spool_dir.path().to_path_buf()).unwrap();
    spool
        .write(
            "quotation_quot_leftover00.json",
            &json!({"status": "failed"}),
        )
        .unwrap();
    let config = audit_config(port).replace(
        "spool_dir = \"audit\"",
        &format!("spool_dir = {:?}", spool_dir.path().display().to_string()),
    );
    let host = TestHost::start(&config, &[]).await;
    wait_until("left-over uploaded", async || {
        objects(store.path()).len() == 1
    })
    .await;
    assert!(objects(store.path())[0].ends_with("quotation_quot_leftover00.json"));
    drop(host);
}
