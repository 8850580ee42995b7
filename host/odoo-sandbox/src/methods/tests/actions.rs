//! message_post, won/lost, order confirmation: effects and return values.

use serde_json::{Value, json};

use crate::testutil::{call, db, ids, ok};

fn read(db: &crate::Database, model: &str, id: i64, fields: Value) -> Value {
    ok(db, model, "read", json!([[id], fields]), Value::Null)[0].clone()
}

#[test]
fn message_post_stores_a_message() {
    let db = db();
    let kwargs =
        json!({"body": "<p>Hola</p>", "message_type": "comment", "subtype_xmlid": "mail.mt_note"});
    let id = ok(&db, "crm.lead", "message_post", json!([[1]]), kwargs)
        .as_i64()
        .expect("an int on 17/18");
    let msg = read(
        &db,
        "mail.message",
        id,
        json!([
            "model",
            "res_id",
            "body",
            "subtype_id",
            "author_id",
            "message_type",
            "record_name",
            "is_internal"
        ]),
    );
    assert_eq!(
        (msg["model"].clone(), msg["res_id"].clone()),
        (json!("crm.lead"), json!(1))
    );
    assert_eq!(
        msg["body"],
        json!("&lt;p&gt;Hola&lt;/p&gt;"),
        "plain bodies are escaped, as on 17/18"
    );
    assert_eq!(msg["subtype_id"], json!([2, "Note"]));
    assert_eq!(msg["author_id"], json!([3, "Administrator"]));
    assert_eq!(msg["message_type"], json!("comment"));
    assert_eq!(msg["record_name"], json!("Servibot - Hotel Fiesta Azul"));
    assert_eq!(msg["is_internal"], json!(true));
    assert_eq!(
        ids(&read(&db, "crm.lead", 1, json!(["message_ids"]))["message_ids"])[0],
        id
    );

    let html = ok(
        &db,
        "sale.order",
        "message_post",
        json!([[1]]),
        json!({"body": "<p>Hola</p>", "body_is_html": true}),
    );
    let msg = read(
        &db,
        "mail.message",
        html.as_i64().unwrap(),
        json!(["body", "message_type", "subtype_id"]),
    );
    assert_eq!(msg["body"], json!("<p>Hola</p>"));
    assert_eq!(msg["message_type"], json!("notification"));
    assert_eq!(msg["subtype_id"][0], json!(2), "defaults to a note");
    assert!(
        ok(
            &db,
            "project.task",
            "message_post",
            json!([2]),
            json!({"body": "x", "subtype_xmlid": "mail.mt_comment"})
        )
        .is_i64()
    );

    let err = call(
        &db,
        "crm.lead",
        "message_post",
        json!([[1, 2]]),
        json!({"body": "x"}),
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("Expected singleton: crm.lead(1, 2)")
    );
    assert_eq!(
        call(
            &db,
            "crm.lead",
            "message_post",
            json!([[999999]]),
            json!({"body": "x"})
        )
        .unwrap_err()
        .code(),
        2
    );
    let err = call(
        &db,
        "crm.lead",
        "message_post",
        json!([[1], "positional body"]),
        Value::Null,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("takes 1 positional argument but 2 were given")
    );
    let err = call(
        &db,
        "crm.lead",
        "message_post",
        json!([[1]]),
        json!({"subtype_xmlid": "mail.nope"}),
    )
    .unwrap_err();
    assert!(err.to_string().contains("External ID not found"));
}

#[test]
fn won_with_rainbowman() {
    let db = db();
    // Carlos (user 8) has won nothing yet this year: the first deal gets the effect.
    let answer = ok(
        &db,
        "crm.lead",
        "action_set_won_rainbowman",
        json!([[2]]),
        Value::Null,
    );
    assert_eq!(answer["effect"]["type"], json!("rainbow_man"));
    assert_eq!(
        answer["effect"]["message"],
        json!("Go, go, go! Congrats for your first deal.")
    );
    let lead = read(
        &db,
        "crm.lead",
        2,
        json!(["stage_id", "probability", "date_closed", "active"]),
    );
    assert_eq!(lead["stage_id"], json!([4, "Won"]));
    assert_eq!(lead["probability"], json!(100.0));
    assert!(lead["date_closed"].is_string());
    // Sofía (user 7) already won lead 4 this year: plain True.
    assert_eq!(
        ok(
            &db,
            "crm.lead",
            "action_set_won_rainbowman",
            json!([[1]]),
            Value::Null
        ),
        json!(true)
    );
    assert_eq!(
        ok(&db, "crm.lead", "action_set_won", json!([[3]]), Value::Null),
        json!(true)
    );
    let err = call(
        &db,
        "crm.lead",
        "action_set_won_rainbowman",
        json!([[1, 3]]),
        Value::Null,
    )
    .unwrap_err();
    assert!(err.to_string().contains("Expected singleton"));
}

#[test]
fn lost_commits_then_cannot_marshal_none() {
    let db = db();
    let err = call(
        &db,
        "crm.lead",
        "action_set_lost",
        json!([[3]]),
        json!({"lost_reason_id": 16}),
    )
    .unwrap_err();
    assert_eq!(err.code(), 1);
    assert!(
        err.fault_string()
            .trim_end()
            .ends_with("TypeError: cannot marshal None unless allow_none is enabled")
    );
    let ctx = json!({"context": {"active_test": false}});
    let lead = ok(
        &db,
        "crm.lead",
        "search_read",
        json!([
            [["id", "=", 3]],
            ["active", "probability", "lost_reason_id"]
        ]),
        ctx,
    );
    assert_eq!(
        lead[0]["active"],
        json!(false),
        "the change was committed before the fault"
    );
    assert_eq!(lead[0]["probability"], json!(0.0));
    assert_eq!(lead[0]["lost_reason_id"], json!([16, "No interesado"]));
    // A bad extra value aborts the whole call.
    let err = call(
        &db,
        "crm.lead",
        "action_set_lost",
        json!([[1]]),
        json!({"nope": 1}),
    )
    .unwrap_err();
    assert!(err.to_string().contains("Invalid field 'nope'"));
    assert_eq!(
        read(&db, "crm.lead", 1, json!(["active"]))["active"],
        json!(true)
    );
    // The RPC-safe equivalent the seed system uses.
    ok(
        &db,
        "crm.lead",
        "write",
        json!([[1], {"active": false, "lost_reason_id": 4}]),
        Value::Null,
    );
    assert_eq!(
        read(&db, "crm.lead", 1, json!(["probability"]))["probability"],
        json!(0.0)
    );
}

#[test]
fn order_state_actions() {
    let db = db();
    assert_eq!(
        ok(
            &db,
            "sale.order",
            "action_confirm",
            json!([[1]]),
            Value::Null
        ),
        json!(true)
    );
    assert_eq!(
        read(&db, "sale.order", 1, json!(["state"]))["state"],
        json!("sale")
    );
    let err = call(
        &db,
        "sale.order",
        "action_confirm",
        json!([[1]]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(
        err.fault_string(),
        "It is not allowed to confirm an order in the following states: Sales Order"
    );
    let err = call(
        &db,
        "sale.order",
        "write",
        json!([[1], {"order_line": [[5]]}]),
        Value::Null,
    )
    .unwrap_err();
    assert!(
        err.fault_string()
            .starts_with("Once a sales order is confirmed")
    );
    assert_eq!(
        call(
            &db,
            "sale.order",
            "action_confirm",
            json!([[999]]),
            Value::Null
        )
        .unwrap_err()
        .code(),
        2
    );
    assert_eq!(
        ok(
            &db,
            "sale.order",
            "action_cancel",
            json!([[1]]),
            Value::Null
        ),
        json!(true)
    );
    assert_eq!(
        ok(&db, "sale.order", "action_draft", json!([[1]]), Value::Null),
        json!(true)
    );
    assert_eq!(
        ok(
            &db,
            "sale.order",
            "action_quotation_sent",
            json!([[1]]),
            Value::Null
        ),
        json!(true)
    );
    assert_eq!(
        read(&db, "sale.order", 1, json!(["state"]))["state"],
        json!("sent")
    );
}
