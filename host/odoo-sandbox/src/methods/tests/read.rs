//! search, search_read, read, search_count, fields_get, name_search: ordering, paging,
//! archived records and value formats.

use serde_json::{Value, json};

use crate::testutil::{call, db, ids, ok};

fn search(db: &crate::Database, model: &str, domain: Value, kwargs: Value) -> Vec<i64> {
    ids(&ok(db, model, "search", json!([domain]), kwargs))
}

#[test]
fn order_limit_and_offset() {
    let db = db();
    // Default `_order` of crm.lead: priority desc, id desc (lead 5 is archived).
    assert_eq!(
        search(&db, "crm.lead", json!([]), Value::Null),
        vec![1, 2, 7, 6, 4, 3]
    );
    assert_eq!(
        search(
            &db,
            "crm.lead",
            json!([]),
            json!({"order": "probability desc"})
        ),
        vec![4, 1, 3, 2, 7, 6]
    );
    assert_eq!(
        search(
            &db,
            "crm.lead",
            json!([]),
            json!({"order": "probability desc", "limit": 2, "offset": 1})
        ),
        vec![1, 3]
    );
    // Positional offset, limit, order.
    assert_eq!(
        ids(&ok(
            &db,
            "crm.lead",
            "search",
            json!([[], 2, 2, "id asc"]),
            Value::Null
        )),
        vec![3, 4]
    );
    // A many2one sorts by its comodel's order: stage sequence, not stage id.
    assert_eq!(
        search(&db, "crm.lead", json!([]), json!({"order": "stage_id, id"})),
        vec![6, 2, 7, 3, 1, 4]
    );
    assert_eq!(
        search(
            &db,
            "crm.lead",
            json!([]),
            json!({"order": "date_deadline desc, id"})
        ),
        vec![2, 4, 6, 7, 3, 1],
        "NULLs first when descending"
    );
    assert_eq!(
        search(&db, "crm.lead", json!([]), json!({"order": "name asc"})),
        vec![7, 4, 3, 1, 6, 2]
    );
    let err = call(
        &db,
        "crm.lead",
        "search",
        json!([[]]),
        json!({"order": "name sideways"}),
    )
    .unwrap_err();
    assert_eq!(err.code(), 1);
    assert_eq!(
        ok(
            &db,
            "crm.lead",
            "search_count",
            json!([[]]),
            json!({"limit": 2})
        ),
        json!(2)
    );
}

#[test]
fn archived_records_are_hidden_unless_asked_for() {
    let db = db();
    assert_eq!(
        ok(&db, "crm.lead", "search_count", json!([[]]), Value::Null),
        json!(6)
    );
    assert_eq!(
        search(
            &db,
            "crm.lead",
            json!([["active", "=", false]]),
            Value::Null
        ),
        vec![5]
    );
    assert_eq!(
        ok(
            &db,
            "crm.lead",
            "search_count",
            json!([[["active", "in", [true, false]]]]),
            Value::Null
        ),
        json!(7)
    );
    assert_eq!(
        ok(
            &db,
            "crm.lead",
            "search_count",
            json!([[]]),
            json!({"context": {"active_test": false}})
        ),
        json!(7)
    );
    assert_eq!(
        search(&db, "project.project", json!([]), Value::Null),
        vec![1, 2]
    );
    // read() ignores active; one2many reads show active children only.
    let p3 = ok(
        &db,
        "project.project",
        "read",
        json!([[3], ["name", "active", "task_ids", "task_count"]]),
        Value::Null,
    );
    assert_eq!(p3[0]["active"], json!(false));
    assert_eq!(p3[0]["task_ids"], json!([]));
    assert_eq!(p3[0]["task_count"], json!(0));
    // Archived users drop out of the salesperson search (§3.4 step 2).
    assert!(!search(&db, "res.users", json!([]), Value::Null).contains(&1));
}

#[test]
fn values_are_formatted_as_xmlrpc_reads_them() {
    let db = db();
    let fields = json!([
        "name",
        "partner_id",
        "stage_id",
        "tag_ids",
        "date_deadline",
        "date_conversion",
        "probability",
        "x_studio_producto",
        "order_ids",
        "active",
        "description",
        "color"
    ]);
    let rows = ok(
        &db,
        "crm.lead",
        "search_read",
        json!([[["id", "in", [1, 7]]], fields]),
        json!({"order": "id"}),
    );
    let (one, seven) = (&rows[0], &rows[1]);
    assert_eq!(one["id"], json!(1));
    assert_eq!(
        one["partner_id"],
        json!([15, "Hotel Fiesta Azul, Ana López"])
    );
    assert_eq!(one["stage_id"], json!([3, "Proposition"]));
    assert_eq!(one["tag_ids"], json!([1]));
    assert_eq!(one["date_deadline"], json!("2026-12-15"));
    assert_eq!(one["date_conversion"], json!("2026-10-05 16:20:00"));
    assert!(one["probability"].is_f64());
    assert_eq!(
        one["x_studio_producto"],
        json!([26157, "[PUDU-SWIFT] SwiftBot"])
    );
    assert_eq!(one["order_ids"], json!([1]));
    assert_eq!(one["color"], json!(0));
    assert_eq!(seven["partner_id"], json!(false));
    assert_eq!(seven["date_deadline"], json!(false));
    assert_eq!(seven["description"], json!(false));
    assert_eq!(seven["tag_ids"], json!([]));
    let bare = ok(
        &db,
        "crm.lead",
        "read",
        json!([[1], ["partner_id"]]),
        json!({"load": false}),
    );
    assert_eq!(bare[0]["partner_id"], json!(15));
}

#[test]
fn read_drops_missing_ids_and_checks_fields() {
    let db = db();
    let rows = ok(
        &db,
        "crm.lead",
        "read",
        json!([[1, 999999], ["name"]]),
        Value::Null,
    );
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(
        ok(&db, "crm.lead", "read", json!([2, ["name"]]), Value::Null)[0]["id"],
        json!(2),
        "a bare id is accepted"
    );
    let err = call(
        &db,
        "crm.lead",
        "read",
        json!([[1], ["name", "nope"]]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(err.code(), 1);
    assert!(
        err.fault_string()
            .trim_end()
            .ends_with("ValueError: Invalid field 'nope' in 'crm.lead'")
    );
    let err = call(
        &db,
        "res.users",
        "search_read",
        json!([[], ["phone", "mobile", "nope"]]),
        Value::Null,
    )
    .unwrap_err();
    assert!(err.to_string().contains("'nope'"));
    let all = ok(&db, "res.users", "read", json!([[2]]), Value::Null);
    assert_eq!(all[0]["password"], json!(false));
    assert_eq!(all[0]["display_name"], json!("Administrator"));
    assert!(all[0].as_object().unwrap().len() > 20);
}

#[test]
fn salesperson_data_for_balancing_and_phones() {
    let db = db();
    let team = ok(
        &db,
        "crm.team",
        "search_read",
        json!([[["id", "in", [14]]], ["member_ids"]]),
        Value::Null,
    );
    // x2many reads follow the comodel's order (users by name): Carlos, Diego, Sofía, Valeria.
    assert_eq!(team[0]["member_ids"], json!([8, 10, 7, 9]));
    let users = ok(
        &db,
        "res.users",
        "search_read",
        json!([[["id", "=", 8]], ["mobile", "phone"]]),
        json!({"limit": 1}),
    );
    assert_eq!(users[0]["phone"], json!(false));
    assert_eq!(users[0]["mobile"], json!("+528112345602"));
    let domain = json!([
        ["stage_id", "in", [1, 2, 10, 3]],
        ["active", "=", true],
        ["type", "=", "opportunity"]
    ]);
    let opps = ok(
        &db,
        "crm.lead",
        "search_read",
        json!([domain, ["user_id"]]),
        json!({"order": "id"}),
    );
    let owners: Vec<i64> = opps
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["user_id"][0].as_i64().unwrap())
        .collect();
    assert_eq!(owners, vec![7, 8, 9, 11]);
    let items = ok(
        &db,
        "product.pricelist.item",
        "search_read",
        json!([
            [["pricelist_id", "=", 82], ["product_id", "=", 26153]],
            ["fixed_price"]
        ]),
        Value::Null,
    );
    assert_eq!(items[0]["fixed_price"], json!(185000.0));
}

#[test]
fn name_search_accepts_args_and_domain() {
    let db = db();
    let hits = ok(
        &db,
        "res.partner",
        "name_search",
        json!(["fiesta"]),
        Value::Null,
    );
    let found: Vec<i64> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_i64().unwrap())
        .collect();
    assert_eq!(found.len(), 3);
    assert!(
        hits.as_array()
            .unwrap()
            .contains(&json!([14, "Hotel Fiesta Azul"]))
    );
    let companies = json!([["is_company", "=", true]]);
    assert_eq!(
        ok(
            &db,
            "res.partner",
            "name_search",
            json!(["fiesta", companies]),
            Value::Null
        ),
        json!([[14, "Hotel Fiesta Azul"]])
    );
    assert_eq!(
        ok(
            &db,
            "res.partner",
            "name_search",
            json!(["fiesta"]),
            json!({"args": companies})
        ),
        json!([[14, "Hotel Fiesta Azul"]])
    );
    assert_eq!(
        ok(
            &db,
            "res.partner",
            "name_search",
            json!(["fiesta"]),
            json!({"domain": companies})
        ),
        json!([[14, "Hotel Fiesta Azul"]])
    );
    let err = call(
        &db,
        "res.partner",
        "name_search",
        json!(["fiesta"]),
        json!({"args": [], "domain": []}),
    )
    .unwrap_err();
    assert_eq!(err.code(), 1);
    assert_eq!(
        ok(
            &db,
            "res.partner",
            "name_search",
            json!(["fiesta"]),
            json!({"limit": 1})
        )
        .as_array()
        .unwrap()
        .len(),
        1
    );
    let products = ok(
        &db,
        "product.product",
        "name_search",
        json!(["KETTY"]),
        Value::Null,
    );
    assert_eq!(products.as_array().unwrap().len(), 3);
    assert_eq!(
        products[0],
        json!([26171, "[ACC-BATT] Batería de repuesto KettyBot"])
    );
}
