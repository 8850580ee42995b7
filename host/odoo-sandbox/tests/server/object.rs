//! `/xmlrpc/2/object`: results and faults on the wire.

use serde_json::json;

use crate::{Server, last_line};

#[tokio::test]
async fn object_service_reads_and_writes() {
    let server = Server::default().await;
    let leads = server
        .execute_kw(
            "crm.lead",
            "search_read",
            json!([[["type", "=", "opportunity"]]]),
            json!({"fields": ["name", "stage_id", "probability"], "limit": 2, "order": "id"}),
        )
        .await
        .unwrap();
    assert_eq!(leads[0]["id"], json!(1));
    assert_eq!(leads[0]["stage_id"], json!([3, "Proposition"]));
    assert!(
        leads[0]["probability"].is_f64(),
        "floats travel as <double>"
    );
    assert_eq!(leads.as_array().unwrap().len(), 2);
    let id = server
        .execute_kw(
            "crm.lead",
            "create",
            json!([{"name": "Por HTTP", "type": "opportunity"}]),
            json!({}),
        )
        .await
        .unwrap();
    assert!(id.is_i64());
    let companies = server
        .rpc(
            "object",
            "execute",
            json!([
                "demo",
                2,
                "admin",
                "res.partner",
                "search",
                [["is_company", "=", true]]
            ]),
        )
        .await
        .unwrap();
    assert!(companies.as_array().unwrap().contains(&json!(14)));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn faults_travel_as_odoo_sends_them() {
    let server = Server::default().await;
    let bad_password = server
        .rpc(
            "object",
            "execute_kw",
            json!(["demo", 2, "wrong", "crm.lead", "search", [[]]]),
        )
        .await
        .unwrap_err();
    assert_eq!(
        (bad_password.code, bad_password.message.as_str()),
        (3, "Access Denied")
    );
    let no_uid = server
        .rpc(
            "object",
            "execute_kw",
            json!(["demo", false, "admin", "crm.lead", "search", [[]]]),
        )
        .await
        .unwrap_err();
    assert_eq!(no_uid.code, 3);
    let model = server
        .execute_kw("no.such.model", "search", json!([[]]), json!({}))
        .await
        .unwrap_err();
    assert_eq!(
        (model.code, model.message.as_str()),
        (2, "Object no.such.model doesn't exist")
    );
    let method = server
        .execute_kw("crm.lead", "no_such_method", json!([]), json!({}))
        .await
        .unwrap_err();
    assert_eq!(method.code, 1);
    assert!(
        method
            .message
            .starts_with("Traceback (most recent call last):")
    );
    assert_eq!(
        last_line(&method),
        "AttributeError: The method 'crm.lead.no_such_method' does not exist"
    );
    let missing = server
        .execute_kw(
            "crm.lead",
            "write",
            json!([[999999], {"name": "x"}]),
            json!({}),
        )
        .await
        .unwrap_err();
    assert_eq!(missing.code, 2);
    assert_eq!(
        missing.message,
        "Record does not exist or has been deleted.\n(Record: crm.lead(999999,), User: 2)"
    );
    let field = server
        .execute_kw(
            "res.users",
            "search_read",
            json!([[]]),
            json!({"fields": ["nope"]}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        last_line(&field),
        "ValueError: Invalid field 'nope' in 'res.users'"
    );
    let domain = server
        .execute_kw(
            "crm.lead",
            "search",
            json!([["|", ["id", "=", 1]]]),
            json!({}),
        )
        .await
        .unwrap_err();
    assert!(last_line(&domain).contains("syntactically not correct"));
    let demo = server
        .rpc(
            "object",
            "execute_kw",
            json!(["demo", 6, "demo", "crm.lead", "unlink", [[1]]]),
        )
        .await
        .unwrap_err();
    assert_eq!(demo.code, 4);
    let lost = server
        .execute_kw(
            "crm.lead",
            "action_set_lost",
            json!([[3]]),
            json!({"lost_reason_id": 4}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        last_line(&lost),
        "TypeError: cannot marshal None unless allow_none is enabled"
    );
    let unknown = server
        .rpc("object", "frobnicate", json!([]))
        .await
        .unwrap_err();
    assert_eq!(
        last_line(&unknown),
        "NameError: Method not available frobnicate"
    );
    let short = server
        .rpc(
            "object",
            "execute_kw",
            json!(["demo", 2, "admin", "crm.lead"]),
        )
        .await
        .unwrap_err();
    assert!(
        last_line(&short)
            .starts_with("TypeError: execute_kw() missing 2 required positional arguments")
    );
    server.shutdown().await.unwrap();
}
