//! fields_get, default_get, context_get, exists, name_create.

use serde_json::{Value, json};

use crate::testutil::{call, db, ok};

#[test]
fn fields_get_reports_metadata() {
    let db = db();
    let attrs = json!(["type", "string", "relation", "required"]);
    let f = ok(
        &db,
        "crm.lead",
        "fields_get",
        json!([]),
        json!({"attributes": attrs}),
    );
    assert_eq!(
        f["stage_id"],
        json!({"type": "many2one", "string": "Stage", "relation": "crm.stage", "required": false})
    );
    assert_eq!(f["name"]["required"], json!(true));
    assert_eq!(f["x_studio_producto"]["relation"], json!("product.product"));
    let task = ok(
        &db,
        "project.task",
        "fields_get",
        json!([[], ["type"]]),
        Value::Null,
    );
    assert!(task.get("user_ids").is_some() && task.get("user_id").is_none());
    let only = ok(
        &db,
        "res.users",
        "fields_get",
        json!([["mobile", "nope"], ["type"]]),
        Value::Null,
    );
    assert_eq!(only, json!({"mobile": {"type": "char"}}));
    let full = ok(&db, "crm.lead", "fields_get", json!([]), Value::Null);
    assert_eq!(
        full["type"]["selection"],
        json!([["lead", "Lead"], ["opportunity", "Opportunity"]])
    );
    assert_eq!(full["order_ids"]["relation_field"], json!("opportunity_id"));
    // Odoo 18 fails a full fields_get on product.pricelist with "cannot marshal None".
    let err = call(
        &db,
        "product.pricelist",
        "fields_get",
        json!([]),
        Value::Null,
    )
    .unwrap_err();
    assert!(err.to_string().contains("cannot marshal None"));
    assert!(
        call(
            &db,
            "product.pricelist",
            "fields_get",
            json!([]),
            json!({"attributes": ["type"]})
        )
        .is_ok()
    );
}

#[test]
fn small_model_methods() {
    let db = db();
    assert_eq!(
        ok(&db, "crm.lead", "exists", json!([[1, 999]]), Value::Null),
        json!([1])
    );
    let ctx = ok(&db, "res.users", "context_get", json!([]), Value::Null);
    assert_eq!(ctx["uid"], json!(2));
    let defaults = ok(
        &db,
        "crm.lead",
        "default_get",
        json!([["type", "priority", "user_id"]]),
        Value::Null,
    );
    assert_eq!(
        defaults,
        json!({"type": "lead", "priority": "0", "user_id": 2})
    );
    let created = ok(
        &db,
        "crm.tag",
        "name_create",
        json!(["Escuela"]),
        Value::Null,
    );
    assert_eq!(created[1], json!("Escuela"));
}
