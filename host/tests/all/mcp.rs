//! MCP clients list and call tools over Streamable HTTP, legacy SSE and stdio;
//! requests from foreign hosts and origins, or without the token, are refused.

use std::time::Duration;

use futures::StreamExt;
use rmcp::ServiceExt;
use serde_json::{Value, json};

use crate::support::{OFFLINE_INSTANCE, TestHost, artifact, assert_contains, call_params, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamable_http_lists_and_calls_tools() {
    let host = TestHost::start(
        OFFLINE_INSTANCE,
        &[
            ("hello-plugin", "hello"),
            ("conformance-fixture", "conformance"),
        ],
    )
    .await;
    let (client, _) = host.mcp_client().await;
    let tools = client.list_all_tools().await.unwrap();
    let hello = tools
        .iter()
        .find(|t| t.name == "hello")
        .expect("hello listed");
    assert_eq!(hello.title.as_deref(), Some("Say hello"));
    assert!(hello.output_schema.is_some());
    assert_eq!(
        hello.annotations.as_ref().and_then(|a| a.read_only_hint),
        Some(true)
    );

    let ok = client
        .call_tool(call_params("hello", json!({"name": "Ada"})))
        .await
        .unwrap();
    assert_eq!(ok.is_error, Some(false));
    assert_eq!(
        ok.structured_content,
        Some(json!({"greeting": "Hello, Ada!"}))
    );
    assert_eq!(
        serde_json::from_str::<Value>(&text(&ok)).unwrap(),
        json!({"greeting": "Hello, Ada!"})
    );

    let bad = client
        .call_tool(call_params("hello", json!({"name": 3})))
        .await
        .unwrap();
    assert_eq!(bad.is_error, Some(true));
    assert_contains(&text(&bad), "invalid arguments for hello: /name");

    let failing = client
        .call_tool(call_params("test_error_handling", json!({})))
        .await
        .unwrap();
    assert_eq!(failing.is_error, Some(true));
    assert_contains(&text(&failing), "intentionally returns an error");

    let image = client
        .call_tool(call_params("test_image_content", json!({})))
        .await
        .unwrap();
    assert!(
        image.content[0]
            .as_image()
            .is_some_and(|i| i.mime_type == "image/png")
    );

    let unknown = client
        .call_tool(call_params("no_such_tool", json!({})))
        .await;
    assert!(unknown.is_err(), "an unknown tool is a protocol error");
}

/// Reads SSE events (`event`, `data`) from a streaming response body.
struct SseReader {
    stream: futures::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buf: String,
}

impl SseReader {
    async fn next_event(&mut self) -> (String, String) {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let (mut event, mut data) = (String::from("message"), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // keep-alive comment
                }
                return (event, data);
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.stream.next())
                .await
                .expect("sse event")
                .unwrap()
                .unwrap();
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_sse_lists_and_calls_tools() {
    let host = TestHost::start(OFFLINE_INSTANCE, &[("hello-plugin", "hello")]).await;
    let http = reqwest::Client::new();
    let resp = http.get(host.url("/mcp/sse")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let mut sse = SseReader {
        stream: resp.bytes_stream().boxed(),
        buf: String::new(),
    };
    let (event, endpoint) = sse.next_event().await;
    assert_eq!(event, "endpoint");
    assert!(
        endpoint.starts_with("/mcp/messages/?session_id="),
        "{endpoint}"
    );
    let post = |body: Value| http.post(host.url(&endpoint)).json(&body).send();

    let r = post(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2024-11-05", "capabilities": {}, "clientInfo": {"name": "old-agent", "version": "1"}}}))
    .await
    .unwrap();
    assert_eq!(r.status(), 202);
    let (_, init) = sse.next_event().await;
    let init: Value = serde_json::from_str(&init).unwrap();
    assert_eq!(init["id"], 1);
    assert_eq!(init["result"]["capabilities"]["tools"]["listChanged"], true);
    post(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .await
        .unwrap();

    post(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
        .await
        .unwrap();
    let (_, list) = sse.next_event().await;
    let list: Value = serde_json::from_str(&list).unwrap();
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["count_partners", "hello"]);

    post(json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "hello", "arguments": {"name": "Ada"}}}))
        .await
        .unwrap();
    let (_, call) = sse.next_event().await;
    let call: Value = serde_json::from_str(&call).unwrap();
    assert_eq!(call["id"], 3);
    assert_eq!(
        call["result"]["structuredContent"],
        json!({"greeting": "Hello, Ada!"})
    );

    let stale = http
        .post(host.url("/mcp/messages/?session_id=nope"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdio_lists_and_calls_tools() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("plugins")).unwrap();
    std::fs::copy(
        artifact("hello-plugin"),
        dir.path().join("plugins/hello.wasm"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("plugins.toml"),
        format!("[host]\nplugin_dir = \"plugins\"\ncache_dir = \"cache\"\n{OFFLINE_INSTANCE}"),
    )
    .unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_daniel"));
    cmd.arg("mcp-stdio")
        .arg("--config")
        .arg(dir.path().join("plugins.toml"))
        .env("RUST_LOG", "warn");
    let transport = rmcp::transport::TokioChildProcess::new(cmd).unwrap();
    let client = ().serve(transport).await.unwrap();
    let tools = client.list_all_tools().await.unwrap();
    assert!(tools.iter().any(|t| t.name == "hello"));
    let r = client
        .call_tool(call_params("hello", json!({"name": "stdio"})))
        .await
        .unwrap();
    assert_eq!(
        r.structured_content,
        Some(json!({"greeting": "Hello, stdio!"}))
    );
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_hosts_and_origins_are_refused() {
    let host = TestHost::start(OFFLINE_INSTANCE, &[]).await;
    let http = reqwest::Client::new();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let r = http
        .post(host.url("/mcp"))
        .header("host", "evil.example")
        .json(&init)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = http
        .post(host.url("/mcp"))
        .header("origin", "https://evil.example")
        .json(&init)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = http
        .get(host.url("/mcp/sse"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_token_is_required_on_mcp_and_api_but_not_on_probes() {
    let host = TestHost::start_full(
        OFFLINE_INSTANCE,
        &[("hello-plugin", "hello")],
        false,
        Some("s3cret-token"),
    )
    .await;
    let http = reqwest::Client::new();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let post = |token: Option<&str>| {
        let mut r = http
            .post(host.url("/mcp"))
            .header("accept", "application/json, text/event-stream")
            .json(&init);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    assert_eq!(post(None).await.unwrap().status(), 401);
    assert_eq!(post(Some("wrong")).await.unwrap().status(), 401);
    assert_eq!(post(Some("s3cret-token")).await.unwrap().status(), 200);
    assert_eq!(
        http.get(host.url("/mcp/sse"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        http.get(host.url("/api/plugins"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        http.get(host.url("/health")).send().await.unwrap().status(),
        200
    );
}
