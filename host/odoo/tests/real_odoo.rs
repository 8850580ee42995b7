//! The client against a real Odoo, when one is configured:
//! `ODOO_TEST_URL`, `ODOO_TEST_DB`, `ODOO_TEST_LOGIN`, `ODOO_TEST_PASSWORD`.
//! Without them every test here prints that it was skipped (CI has no Odoo).
//! Nothing is written: only reads and calls that fail by design.

#[path = "support/real_odoo_env.rs"]
mod real_odoo_env;

use daniel_odoo::client::Error;
use daniel_odoo::{InstanceConfig, OdooClient, Secret};
use real_odoo_env::RealOdoo;
use serde_json::json;

fn client() -> Option<OdooClient> {
    let odoo = RealOdoo::from_env()?;
    let config = InstanceConfig::new(
        "real",
        odoo.url,
        odoo.db,
        odoo.login,
        Secret::new(odoo.password),
    );
    Some(OdooClient::new(config).expect("valid settings"))
}

#[tokio::test]
async fn version_and_field_names() {
    let Some(odoo) = client() else { return };
    let v = odoo.version().await.unwrap();
    assert!((14..=21).contains(&v.major), "{v:?}");
    let fields = odoo.field_names("res.partner").await.unwrap();
    assert!(fields.iter().any(|f| f == "email"));
    // Odoo 19 removed `mobile`; earlier versions have it.
    assert_eq!(
        fields.iter().any(|f| f == "mobile"),
        v.major < 19,
        "mobile vs version {}",
        v.text
    );
}

#[tokio::test]
async fn search_read_keeps_odoo_values() {
    let Some(odoo) = client() else { return };
    let rows = odoo
        .execute_kw(
            "res.partner",
            "search_read",
            json!([[]]),
            json!({"fields": ["name", "parent_id"], "limit": 5}),
        )
        .await
        .unwrap();
    for row in rows.as_array().unwrap() {
        assert!(row["id"].is_i64());
        // many2one is [id, name] or false, never null.
        assert!(
            row["parent_id"].is_array() || row["parent_id"] == json!(false),
            "{row}"
        );
    }
}

#[tokio::test]
async fn faults_are_typed() {
    let Some(odoo) = client() else { return };
    let missing = odoo
        .execute_kw(
            "res.partner",
            "read",
            json!([[999_999_999]]),
            json!({"fields": ["name"]}),
        )
        .await;
    assert!(
        matches!(missing, Ok(ref v) if v == &json!([]))
            || matches!(missing, Err(Error::NotFound { .. })),
        "{missing:?}"
    );
    let unknown = odoo
        .execute_kw("no.such.model", "search", json!([[]]), json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, Error::NotFound { .. } | Error::Validation { .. }),
        "{unknown:?}"
    );
    let field = odoo
        .execute_kw(
            "res.partner",
            "search_read",
            json!([[]]),
            json!({"fields": ["no_such_field"]}),
        )
        .await
        .unwrap_err();
    // An unknown field is fault 1 with "ValueError: Invalid field …", which the client
    // maps to NotFound like an unknown method.
    assert!(matches!(field, Error::NotFound { .. }), "{field:?}");
    assert!(
        !field.to_string().contains("Traceback"),
        "no traceback in messages: {field}"
    );
}

#[tokio::test]
async fn wrong_credentials_are_an_auth_error() {
    let Some(odoo) = RealOdoo::from_env() else {
        return;
    };
    let bad = OdooClient::new(InstanceConfig::new(
        "bad",
        odoo.url,
        odoo.db,
        "nobody@example.invalid",
        Secret::new("wrong"),
    ))
    .unwrap();
    let err = bad
        .execute_kw("res.partner", "search_count", json!([[]]), json!({}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
}
