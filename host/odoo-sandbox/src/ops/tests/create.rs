//! Defaults, sequences, computed amounts on create, users and their partners.

use serde_json::{Value, json};

use super::read_one;
use crate::testutil::{call_as, db, ids, ok};

#[test]
fn lead_defaults_follow_the_creating_user() {
    let db = db();
    let id = call_as(
        &db,
        7,
        "crm.lead",
        "create",
        json!([{"name": "Nuevo lead"}]),
        Value::Null,
    )
    .unwrap();
    let id = id.as_i64().expect("create(dict) returns an int");
    let lead = read_one(
        &db,
        "crm.lead",
        id,
        json!([
            "type",
            "user_id",
            "team_id",
            "stage_id",
            "active",
            "probability",
            "priority",
            "create_date",
            "company_id",
            "date_open"
        ]),
    );
    assert_eq!(lead["type"], json!("lead"));
    assert_eq!(lead["user_id"], json!([7, "Sofía Ramírez"]));
    assert_eq!(lead["team_id"], json!([14, "Ventas servibot"]));
    assert_eq!(lead["stage_id"], json!([1, "New"]));
    assert_eq!(lead["active"], json!(true));
    assert_eq!(lead["probability"], json!(10.0));
    assert_eq!(lead["priority"], json!("0"));
    assert_eq!(lead["company_id"][0], json!(1));
    assert!(lead["create_date"].as_str().is_some_and(|d| d.len() == 19));
    assert!(lead["date_open"].is_string());

    let admin_lead = ok(
        &db,
        "crm.lead",
        "create",
        json!([{"name": "Del admin"}]),
        json!({"context": {"default_type": "opportunity"}}),
    );
    let lead = read_one(
        &db,
        "crm.lead",
        admin_lead.as_i64().unwrap(),
        json!(["type", "team_id"]),
    );
    assert_eq!(
        lead["type"],
        json!("opportunity"),
        "context default_ overrides the field default"
    );
    assert_eq!(lead["team_id"], json!([1, "Sales"]));
}

#[test]
fn create_accepts_a_list_and_returns_a_list() {
    let db = db();
    let created = ok(
        &db,
        "crm.tag",
        "create",
        json!([[{"name": "A"}, {"name": "B"}]]),
        Value::Null,
    );
    assert_eq!(ids(&created).len(), 2);
    assert_eq!(
        ok(&db, "crm.tag", "create", json!([[]]), Value::Null),
        json!([])
    );
}

#[test]
fn sale_orders_take_sequence_numbers_addresses_and_pricelist() {
    let db = db();
    let first = ok(
        &db,
        "sale.order",
        "create",
        json!([{"partner_id": 15}]),
        Value::Null,
    )
    .as_i64()
    .unwrap();
    let second = ok(
        &db,
        "sale.order",
        "create",
        json!([{"partner_id": 14}]),
        Value::Null,
    )
    .as_i64()
    .unwrap();
    let named = ok(
        &db,
        "sale.order",
        "create",
        json!([{"partner_id": 14, "name": "MANUAL-1"}]),
        Value::Null,
    )
    .as_i64()
    .unwrap();
    let fields = json!([
        "name",
        "state",
        "partner_invoice_id",
        "partner_shipping_id",
        "pricelist_id",
        "user_id",
        "currency_id",
        "validity_date",
        "date_order"
    ]);
    let a = read_one(&db, "sale.order", first, fields.clone());
    assert_eq!(a["name"], json!("S00005"));
    assert_eq!(a["state"], json!("draft"));
    assert_eq!(a["partner_invoice_id"][0], json!(15));
    assert_eq!(a["pricelist_id"], json!([1, "Public Pricelist (MXN)"]));
    assert_eq!(a["user_id"][0], json!(2));
    assert_eq!(a["currency_id"], json!([1, "MXN"]));
    assert!(a["validity_date"].as_str().is_some_and(|d| d.len() == 10));
    let b = read_one(&db, "sale.order", second, fields.clone());
    assert_eq!(b["name"], json!("S00006"));
    assert_eq!(b["pricelist_id"][0], json!(82), "the customer's pricelist");
    assert_eq!(
        b["partner_invoice_id"][0],
        json!(23),
        "the customer's invoice address"
    );
    assert_eq!(b["partner_shipping_id"][0], json!(14));
    assert_eq!(
        read_one(&db, "sale.order", named, fields)["name"],
        json!("MANUAL-1")
    );
}

#[test]
fn seeded_order_amounts_are_computed() {
    let db = db();
    let o = read_one(
        &db,
        "sale.order",
        3,
        json!(["amount_untaxed", "amount_tax", "amount_total", "state"]),
    );
    // 415000 + 24000 × 90 % = 436600; 16 % tax.
    assert_eq!(o["amount_untaxed"], json!(436600.0));
    assert_eq!(o["amount_tax"], json!(69856.0));
    assert_eq!(o["amount_total"], json!(506456.0));
}

#[test]
fn users_inherit_their_partner() {
    let db = db();
    let uid = ok(
        &db,
        "res.users",
        "create",
        json!([{"name": "Nuevo Vendedor", "login": "nuevo", "phone": "+525511112222"}]),
        Value::Null,
    );
    let user = read_one(
        &db,
        "res.users",
        uid.as_i64().unwrap(),
        json!(["name", "phone", "partner_id", "password", "share"]),
    );
    assert_eq!(user["name"], json!("Nuevo Vendedor"));
    assert_eq!(user["phone"], json!("+525511112222"));
    assert_eq!(user["password"], json!(false));
    assert_eq!(user["share"], json!(false));
    let partner = user["partner_id"][0].as_i64().unwrap();
    assert_eq!(
        read_one(&db, "res.partner", partner, json!(["phone"]))["phone"],
        json!("+525511112222")
    );
    ok(
        &db,
        "res.users",
        "write",
        json!([[7], {"phone": "+525500000007"}]),
        Value::Null,
    );
    assert_eq!(
        read_one(&db, "res.partner", 8, json!(["phone"]))["phone"],
        json!("+525500000007")
    );
}
