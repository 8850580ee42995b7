//! Missing records, validation errors, `ondelete` rules, atomicity.

use serde_json::{Value, json};

use super::read_one;
use crate::testutil::{call, db, ok};

#[test]
fn missing_records_are_missing_errors() {
    let db = db();
    let err = call(
        &db,
        "crm.lead",
        "write",
        json!([[999999], {"name": "x"}]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(err.code(), 2);
    assert_eq!(
        err.fault_string(),
        "Record does not exist or has been deleted.\n(Record: crm.lead(999999,), User: 2)"
    );
    let err = call(
        &db,
        "crm.lead",
        "unlink",
        json!([[1, 999998, 999999]]),
        Value::Null,
    )
    .unwrap_err();
    assert!(err.fault_string().contains("crm.lead(999998, 999999)"));
}

#[test]
fn validation_errors() {
    let db = db();
    let err = call(
        &db,
        "crm.lead",
        "create",
        json!([{"type": "lead"}]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(err.code(), 2);
    assert!(err.fault_string().contains("a mandatory field is not set"));
    assert!(err.fault_string().contains("Field: Opportunity (name)"));
    let err = call(
        &db,
        "crm.lead",
        "write",
        json!([[1], {"name": false}]),
        Value::Null,
    )
    .unwrap_err();
    assert!(err.fault_string().contains("Field: Opportunity (name)"));
    let err = call(
        &db,
        "crm.lead",
        "create",
        json!([{"name": "x", "type": "nope"}]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(err.code(), 1);
    assert!(
        err.fault_string()
            .ends_with("ValueError: Wrong value for crm.lead.type: 'nope'\n")
    );
    let err = call(
        &db,
        "crm.lead",
        "create",
        json!([{"name": "x", "nope": 1}]),
        Value::Null,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("Invalid field 'nope' on model 'crm.lead'")
    );
    let err = call(
        &db,
        "crm.lead",
        "create",
        json!([{"name": "x", "stage_id": 999}]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(err.code(), 2);
    let err = call(
        &db,
        "res.users",
        "create",
        json!([{"name": "Otra", "login": "sofia"}]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(
        err.fault_string(),
        "The operation cannot be completed: You can not have two users with the same login!"
    );
    let err = call(
        &db,
        "project.task",
        "write",
        json!([[2], {"parent_id": 2}]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(
        err.fault_string(),
        "Sorry. You can't set a task as its parent task."
    );
    let err = call(
        &db,
        "project.task",
        "write",
        json!([[2], {"parent_id": 3}]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(
        err.fault_string(),
        "Error! You cannot create a recursive hierarchy of tasks."
    );
    // Addresses may be nameless; contacts may not (res.partner's `check_name`).
    ok(
        &db,
        "res.partner",
        "write",
        json!([[23], {"name": false}]),
        Value::Null,
    );
    let err = call(
        &db,
        "res.partner",
        "write",
        json!([[15], {"name": false}]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(err.fault_string(), "Contacts require a name");
}

#[test]
fn unlink_follows_ondelete_rules() {
    let db = db();
    let err = call(&db, "sale.order", "unlink", json!([[3]]), Value::Null).unwrap_err();
    assert_eq!(
        err.fault_string(),
        "You can not delete a sent quotation or a confirmed sales order. You must first cancel it."
    );
    // Restrict: partner 22 is the customer of order 4.
    let err = call(&db, "res.partner", "unlink", json!([[22]]), Value::Null).unwrap_err();
    assert!(
        err.fault_string()
            .contains("Constraint: sale_order_partner_id_fkey")
    );
    assert_eq!(
        ok(
            &db,
            "res.partner",
            "search_count",
            json!([[["id", "=", 22]]]),
            Value::Null
        ),
        json!(1)
    );
    let err = call(
        &db,
        "product.product",
        "unlink",
        json!([[26153]]),
        Value::Null,
    )
    .unwrap_err();
    assert!(
        err.fault_string()
            .contains("Constraint: sale_order_line_product_id_fkey")
    );
    let err = call(&db, "res.partner", "unlink", json!([[8]]), Value::Null).unwrap_err();
    assert!(
        err.fault_string()
            .contains("Constraint: res_users_partner_id_fkey"),
        "a user's partner stays"
    );
    // Cascade: a draft order takes its lines with it.
    ok(&db, "sale.order", "unlink", json!([[4]]), Value::Null);
    assert_eq!(
        ok(
            &db,
            "sale.order.line",
            "search_count",
            json!([[["order_id", "=", 4]]]),
            Value::Null
        ),
        json!(0)
    );
    // Set null: lead 6 and task 4 point at partner 21.
    ok(&db, "res.partner", "unlink", json!([[21]]), Value::Null);
    assert_eq!(
        read_one(&db, "crm.lead", 6, json!(["partner_id"]))["partner_id"],
        json!(false)
    );
    // Messages die with their record.
    ok(&db, "crm.lead", "unlink", json!([[3]]), Value::Null);
    assert_eq!(
        ok(
            &db,
            "mail.message",
            "search_count",
            json!([[["model", "=", "crm.lead"], ["res_id", "=", 3]]]),
            Value::Null
        ),
        json!(0)
    );
}

#[test]
fn a_failing_call_leaves_nothing_behind() {
    let db = db();
    let before = ok(&db, "sale.order", "search_count", json!([[]]), Value::Null);
    let lines_before = ok(
        &db,
        "sale.order.line",
        "search_count",
        json!([[]]),
        Value::Null,
    );
    let err = call(
        &db,
        "sale.order",
        "create",
        json!([{"partner_id": 14, "order_line": [[0, 0, {"product_id": 26153}], [0, 0, {"product_id": 999999}]]}]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(err.code(), 2);
    let err = call(
        &db,
        "crm.tag",
        "create",
        json!([[{"name": "ok"}, {"name": false}]]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(err.code(), 2);
    assert_eq!(
        ok(&db, "sale.order", "search_count", json!([[]]), Value::Null),
        before
    );
    assert_eq!(
        ok(
            &db,
            "sale.order.line",
            "search_count",
            json!([[]]),
            Value::Null
        ),
        lines_before
    );
    assert_eq!(
        ok(
            &db,
            "crm.tag",
            "search_count",
            json!([[["name", "=", "ok"]]]),
            Value::Null
        ),
        json!(0)
    );
    // Neither the sequence number nor the ids were consumed.
    let order = ok(
        &db,
        "sale.order",
        "create",
        json!([{"partner_id": 14}]),
        Value::Null,
    );
    assert_eq!(order, json!(5));
    assert_eq!(
        read_one(&db, "sale.order", 5, json!(["name"]))["name"],
        json!("S00005")
    );
}
