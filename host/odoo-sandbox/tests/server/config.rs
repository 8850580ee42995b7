//! Configuration: credentials, advertised version, seed file, SQLite persistence.

use daniel_odoo_sandbox::{Error, OdooVersion, Sandbox, SandboxConfig};
use serde_json::json;

use crate::Server;

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
    assert_eq!(
        server.rpc("common", "version", json!([])).await.unwrap()["server_serie"],
        json!("17.0")
    );
    assert_eq!(
        server
            .rpc(
                "common",
                "authenticate",
                json!(["pegasus", "boss", "s3cret", {}])
            )
            .await
            .unwrap(),
        json!(2)
    );
    assert_eq!(
        server
            .rpc(
                "common",
                "authenticate",
                json!(["pegasus", "admin", "admin", {}])
            )
            .await
            .unwrap(),
        json!(false)
    );
    let id = server
        .rpc(
            "object",
            "execute_kw",
            json!(["pegasus", 2, "s3cret", "crm.tag", "create", [{"name": "persistente"}]]),
        )
        .await
        .unwrap();
    server.shutdown().await.unwrap();

    let reopened = Sandbox::new(config).unwrap();
    let found = reopened.database().execute_kw(
        2,
        "crm.tag",
        "search",
        vec![json!([["name", "=", "persistente"]])],
        Default::default(),
    );
    assert_eq!(found.unwrap(), json!([id]));

    let missing = SandboxConfig {
        seed: Some(dir.join("missing.json")),
        ..SandboxConfig::default()
    };
    assert!(matches!(Sandbox::new(missing), Err(Error::SeedRead { .. })));
    let _ = std::fs::remove_dir_all(&dir);
}
