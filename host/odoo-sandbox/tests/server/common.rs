//! `/xmlrpc/2/common` and `/xmlrpc/2/db`.

use serde_json::json;

use crate::{Server, last_line};

#[tokio::test]
async fn common_service() {
    let server = Server::default().await;
    let version = server.rpc("common", "version", json!([])).await.unwrap();
    assert_eq!(version["server_version"], json!("18.0"));
    assert_eq!(
        version["server_version_info"],
        json!([18, 0, 0, "final", 0, ""])
    );
    assert_eq!(version["protocol_version"], json!(1));
    assert_eq!(
        server
            .rpc(
                "common",
                "authenticate",
                json!(["demo", "admin", "admin", {}])
            )
            .await
            .unwrap(),
        json!(2)
    );
    assert_eq!(
        server
            .rpc("common", "login", json!(["demo", "demo", "demo"]))
            .await
            .unwrap(),
        json!(6)
    );
    assert_eq!(
        server
            .rpc(
                "common",
                "authenticate",
                json!(["demo", "admin", "wrong", {}])
            )
            .await
            .unwrap(),
        json!(false)
    );
    let fault = server
        .rpc(
            "common",
            "authenticate",
            json!(["nodb", "admin", "admin", {}]),
        )
        .await
        .unwrap_err();
    assert_eq!(fault.code, 1);
    assert!(last_line(&fault).contains("database \"nodb\" does not exist"));
    let fault = server
        .rpc("common", "authenticate", json!(["demo", "admin", "admin"]))
        .await
        .unwrap_err();
    assert!(
        last_line(&fault)
            .starts_with("TypeError: exp_authenticate() missing 1 required positional argument")
    );
    let fault = server.rpc("common", "nope", json!([])).await.unwrap_err();
    assert_eq!(last_line(&fault), "Exception: Method not found: nope");
    assert_eq!(
        server.rpc("db", "list", json!([])).await.unwrap(),
        json!(["demo"])
    );
    assert_eq!(
        server
            .rpc("db", "drop", json!(["x", "demo"]))
            .await
            .unwrap_err()
            .code,
        3
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn web_version_is_absent_on_17_and_18() {
    let server = Server::default().await;
    let (status, _, _) = server.http("GET", "/web/version", b"").await;
    assert_eq!(status, 404);
    server.shutdown().await.unwrap();
}
