//! Fault codes and texts for unknown models and methods, private methods, credentials,
//! wrong calls, and the read-only demo user.

use serde_json::{Value, json};

use crate::testutil::{call, call_as, db, ok};

/// The demo user (read-only group).
const DEMO: i64 = 6;

fn last_line(fault: &crate::Fault) -> String {
    fault
        .fault_string()
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn unknown_model_method_and_private_methods() {
    let db = db();
    let err = call(&db, "no.such.model", "search", json!([[]]), Value::Null).unwrap_err();
    assert_eq!(
        (err.code(), err.fault_string()),
        (2, "Object no.such.model doesn't exist".to_owned())
    );
    let err = call(&db, "crm.lead", "no_such_method", json!([]), Value::Null).unwrap_err();
    assert_eq!(err.code(), 1);
    assert_eq!(
        last_line(&err),
        "AttributeError: The method 'crm.lead.no_such_method' does not exist"
    );
    let err = call(&db, "res.partner", "name_get", json!([[1]]), Value::Null).unwrap_err();
    assert_eq!(
        last_line(&err),
        "AttributeError: The method 'res.partner.name_get' does not exist"
    );
    let err = call(&db, "crm.stage", "message_post", json!([[1]]), Value::Null).unwrap_err();
    assert_eq!(err.code(), 1, "crm.stage is not a mail thread");
    let err = call(&db, "crm.lead", "_read_group", json!([]), Value::Null).unwrap_err();
    assert_eq!(err.code(), 4);
    assert_eq!(
        err.fault_string(),
        "Private methods (such as 'crm.lead._read_group') cannot be called remotely."
    );
}

#[test]
fn wrong_calls_are_type_errors() {
    let db = db();
    let err = call(&db, "crm.lead", "search", json!([]), Value::Null).unwrap_err();
    assert_eq!(
        last_line(&err),
        "TypeError: BaseModel.search() missing 1 required positional argument: 'domain'"
    );
    let err = call(
        &db,
        "crm.lead",
        "search_read",
        json!([[]]),
        json!({"bogus": 1}),
    )
    .unwrap_err();
    assert!(last_line(&err).ends_with("got an unexpected keyword argument 'bogus'"));
    let err = call(&db, "crm.lead", "read", json!([]), Value::Null).unwrap_err();
    assert_eq!(err.code(), 1);
    let err = call(
        &db,
        "crm.lead",
        "search",
        json!(["not a domain"]),
        Value::Null,
    )
    .unwrap_err();
    assert!(last_line(&err).contains("syntactically not correct"));
    let err = call(&db, "crm.lead", "create", json!(["x"]), Value::Null).unwrap_err();
    assert!(last_line(&err).starts_with("TypeError"));
    let err = call(
        &db,
        "crm.lead",
        "search",
        json!([[]]),
        json!({"context": "x"}),
    )
    .unwrap_err();
    assert_eq!(err.code(), 1);
}

#[test]
fn unknown_or_archived_users_are_access_denied() {
    let db = db();
    let err = call_as(&db, 999, "crm.lead", "search", json!([[]]), Value::Null).unwrap_err();
    assert_eq!(
        (err.code(), err.fault_string()),
        (3, "Access Denied".to_owned())
    );
    let err = call_as(
        &db,
        1,
        "crm.lead",
        "create",
        json!([{"name": "x"}]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(err.code(), 3);
}

#[test]
fn credentials() {
    let db = db();
    assert_eq!(db.authenticate("admin", "admin"), Some(2));
    assert_eq!(db.authenticate("admin", "wrong"), None);
    assert_eq!(db.authenticate("demo", "demo"), Some(6));
    assert_eq!(db.authenticate("__system__", ""), None);
    assert_eq!(db.authenticate("nobody", "x"), None);
    assert!(db.check_credentials(2, "admin").is_ok());
    assert_eq!(
        db.check_credentials(2, "nope"),
        Err(crate::Fault::AccessDenied)
    );
    assert_eq!(db.check_credentials(1, ""), Err(crate::Fault::AccessDenied));
    db.set_credentials(2, "boss", "s3cret").unwrap();
    assert_eq!(db.authenticate("boss", "s3cret"), Some(2));
    assert_eq!(db.authenticate("admin", "admin"), None);
}

#[test]
fn read_only_user_can_read_but_not_change() {
    let db = db();
    let leads = call_as(
        &db,
        DEMO,
        "crm.lead",
        "search_read",
        json!([[], ["name"]]),
        Value::Null,
    )
    .unwrap();
    assert_eq!(leads.as_array().unwrap().len(), 6);
    let refused = [
        (
            "create",
            json!([{"name": "x"}]),
            "You are not allowed to create 'Lead/Opportunity' (crm.lead) records.",
        ),
        (
            "write",
            json!([[1], {"name": "x"}]),
            "You are not allowed to modify 'Lead/Opportunity' (crm.lead) records.",
        ),
        (
            "unlink",
            json!([[1]]),
            "You are not allowed to delete 'Lead/Opportunity' (crm.lead) records.",
        ),
        (
            "message_post",
            json!([[1]]),
            "You are not allowed to modify",
        ),
        (
            "action_set_won_rainbowman",
            json!([[1]]),
            "You are not allowed to modify",
        ),
        (
            "action_set_lost",
            json!([[1]]),
            "You are not allowed to modify",
        ),
    ];
    for (method, args, text) in refused {
        let err = call_as(&db, DEMO, "crm.lead", method, args, Value::Null).unwrap_err();
        assert_eq!(err.code(), 4, "{method}");
        assert!(
            err.fault_string().starts_with(text),
            "{method}: {}",
            err.fault_string()
        );
        assert!(
            err.fault_string()
                .contains("This operation is allowed for the following groups")
        );
    }
    let err = call_as(
        &db,
        DEMO,
        "sale.order",
        "action_confirm",
        json!([[1]]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(err.code(), 4);
    let can_write = call_as(
        &db,
        DEMO,
        "crm.lead",
        "check_access_rights",
        json!(["write"]),
        json!({"raise_exception": false}),
    );
    assert_eq!(can_write.unwrap(), json!(false));
    assert_eq!(
        call_as(
            &db,
            DEMO,
            "crm.lead",
            "check_access_rights",
            json!(["read"]),
            Value::Null
        )
        .unwrap(),
        json!(true)
    );
    assert_eq!(
        call_as(
            &db,
            DEMO,
            "crm.lead",
            "check_access_rights",
            json!(["unlink"]),
            Value::Null
        )
        .unwrap_err()
        .code(),
        4
    );
    assert_eq!(
        ok(&db, "crm.lead", "read", json!([[1], ["name"]]), Value::Null)[0]["name"],
        json!("Servibot - Hotel Fiesta Azul")
    );
    assert_eq!(
        ok(
            &db,
            "crm.lead",
            "check_access_rights",
            json!(["write"]),
            Value::Null
        ),
        json!(true)
    );
}
