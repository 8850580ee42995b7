//! create / write / unlink through `execute_kw`: defaults, sequences, x2many commands,
//! computed amounts, references, required fields, atomicity.

use serde_json::{Value, json};

use crate::testutil::{call, call_as, db, ids, ok};

fn read_one(db: &crate::Database, model: &str, id: i64, fields: Value) -> Value {
    let rows = ok(db, model, "read", json!([[id], fields]), Value::Null);
    rows[0].clone()
}

#[test]
fn lead_defaults_follow_the_creating_user() {
    let db = db();
    let id = call_as(&db, 7, "crm.lead", "create", json!([{"name": "Nuevo lead"}]), Value::Null).unwrap();
    let id = id.as_i64().expect("create(dict) returns an int");
    let lead = read_one(&db, "crm.lead", id, json!(["type", "user_id", "team_id", "stage_id", "active", "probability", "priority", "create_date", "company_id", "date_open"]));
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

    let admin_lead = ok(&db, "crm.lead", "create", json!([{"name": "Del admin"}]), json!({"context": {"default_type": "opportunity"}}));
    let lead = read_one(&db, "crm.lead", admin_lead.as_i64().unwrap(), json!(["type", "team_id"]));
    assert_eq!(lead["type"], json!("opportunity"), "context default_ overrides the field default");
    assert_eq!(lead["team_id"], json!([1, "Sales"]));
}

#[test]
fn create_accepts_a_list_and_returns_a_list() {
    let db = db();
    let created = ok(&db, "crm.tag", "create", json!([[{"name": "A"}, {"name": "B"}]]), Value::Null);
    assert_eq!(ids(&created).len(), 2);
    assert_eq!(ok(&db, "crm.tag", "create", json!([[]]), Value::Null), json!([]));
}

#[test]
fn sale_orders_take_sequence_numbers_addresses_and_pricelist() {
    let db = db();
    let first = ok(&db, "sale.order", "create", json!([{"partner_id": 15}]), Value::Null).as_i64().unwrap();
    let second = ok(&db, "sale.order", "create", json!([{"partner_id": 14}]), Value::Null).as_i64().unwrap();
    let named = ok(&db, "sale.order", "create", json!([{"partner_id": 14, "name": "MANUAL-1"}]), Value::Null).as_i64().unwrap();
    let fields = json!(["name", "state", "partner_invoice_id", "partner_shipping_id", "pricelist_id", "user_id", "currency_id", "validity_date", "date_order"]);
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
    assert_eq!(b["partner_invoice_id"][0], json!(23), "the customer's invoice address");
    assert_eq!(b["partner_shipping_id"][0], json!(14));
    assert_eq!(read_one(&db, "sale.order", named, fields)["name"], json!("MANUAL-1"));
}

#[test]
fn order_amounts_follow_line_commands() {
    let db = db();
    let order = ok(
        &db,
        "sale.order",
        "create",
        json!([{"partner_id": 14, "order_line": [
            [0, 0, {"product_id": 26153, "product_uom_qty": 2}],
            [0, 0, {"product_id": 24049, "product_uom_qty": 1, "price_unit": 14000}],
        ]}]),
        Value::Null,
    )
    .as_i64()
    .unwrap();
    let amounts = json!(["amount_untaxed", "amount_tax", "amount_total", "order_line"]);
    let o = read_one(&db, "sale.order", order, amounts.clone());
    assert_eq!((o["amount_untaxed"].clone(), o["amount_tax"].clone(), o["amount_total"].clone()), (json!(384000.0), json!(61440.0), json!(445440.0)));
    let lines = ids(&o["order_line"]);
    let line = read_one(&db, "sale.order.line", lines[0], json!(["name", "price_unit", "price_subtotal", "tax_id", "product_uom"]));
    assert_eq!(line["price_unit"], json!(185000.0), "fixed price from pricelist 82");
    assert_eq!(line["price_subtotal"], json!(370000.0));
    assert_eq!(line["tax_id"], json!([1]));
    assert_eq!(line["product_uom"], json!([1, "Units"]));
    assert!(line["name"].as_str().unwrap().starts_with("[PUDU-KETTY] KettyBot\n"));

    ok(&db, "sale.order", "write", json!([[order], {"order_line": [[1, lines[0], {"product_uom_qty": 3}]]}]), Value::Null);
    assert_eq!(read_one(&db, "sale.order", order, amounts.clone())["amount_total"], json!(660040.0));
    ok(&db, "sale.order", "write", json!([[order], {"order_line": [[2, lines[1]]]}]), Value::Null);
    let o = read_one(&db, "sale.order", order, amounts.clone());
    assert_eq!(o["amount_untaxed"], json!(555000.0));
    assert_eq!(ids(&o["order_line"]), vec![lines[0]]);
    assert_eq!(call(&db, "sale.order.line", "read", json!([[lines[1]], ["id"]]), Value::Null).unwrap(), json!([]));

    let extra = ok(&db, "sale.order.line", "create", json!([{"order_id": order, "product_id": 26172, "product_uom_qty": 2, "discount": 50}]), Value::Null);
    assert_eq!(read_one(&db, "sale.order", order, amounts.clone())["amount_untaxed"], json!(559500.0));
    ok(&db, "sale.order.line", "unlink", json!([[extra]]), Value::Null);
    ok(&db, "sale.order", "write", json!([[order], {"order_line": [[5]]}]), Value::Null);
    let o = read_one(&db, "sale.order", order, amounts);
    assert_eq!((o["amount_total"].clone(), o["order_line"].clone()), (json!(0.0), json!([])));
}

#[test]
fn seeded_order_amounts_are_computed() {
    let db = db();
    let o = read_one(&db, "sale.order", 3, json!(["amount_untaxed", "amount_tax", "amount_total", "state"]));
    // 415000 + 24000 × 90 % = 436600; 16 % tax.
    assert_eq!(o["amount_untaxed"], json!(436600.0));
    assert_eq!(o["amount_tax"], json!(69856.0));
    assert_eq!(o["amount_total"], json!(506456.0));
}

#[test]
fn many2many_commands() {
    let db = db();
    let tags = |db: &crate::Database| ids(&read_one(db, "crm.lead", 6, json!(["tag_ids"]))["tag_ids"]);
    let write = |db: &crate::Database, v: Value| call(db, "crm.lead", "write", json!([[6], {"tag_ids": v}]), Value::Null);
    write(&db, json!([[4, 1]])).unwrap();
    write(&db, json!([[4, 2], [4, 1]])).unwrap();
    assert_eq!(tags(&db), vec![1, 2]);
    write(&db, json!([[3, 1]])).unwrap();
    assert_eq!(tags(&db), vec![2]);
    write(&db, json!([[6, 0, [3, 4]]])).unwrap();
    assert_eq!(tags(&db), vec![3, 4]);
    write(&db, json!([[5]])).unwrap();
    assert_eq!(tags(&db), Vec::<i64>::new());
    write(&db, json!([1, 2])).unwrap();
    assert_eq!(tags(&db), vec![1, 2], "a plain id list sets");
    write(&db, json!([[0, 0, {"name": "Nuevo"}]])).unwrap();
    let new_tag = *tags(&db).iter().max().unwrap();
    assert!(new_tag > 4);
    write(&db, json!([[1, new_tag, {"name": "Renombrado"}]])).unwrap();
    assert_eq!(read_one(&db, "crm.tag", new_tag, json!(["name"]))["name"], json!("Renombrado"));
    write(&db, json!([[2, new_tag]])).unwrap();
    assert_eq!(ok(&db, "crm.tag", "search_count", json!([[["id", "=", new_tag]]]), Value::Null), json!(0));
    assert_eq!(tags(&db), vec![1, 2]);
    write(&db, json!(false)).unwrap();
    assert_eq!(tags(&db), Vec::<i64>::new());
    assert_eq!(write(&db, json!([[4, 999]])).unwrap_err().code(), 2, "linking a missing record");
    assert_eq!(write(&db, json!([[9, 1]])).unwrap_err().code(), 1, "unknown command");
    assert_eq!(write(&db, json!("x")).unwrap_err().code(), 1);
}

#[test]
fn one2many_link_unlink_and_set() {
    let db = db();
    let order = ok(&db, "sale.order", "create", json!([{"partner_id": 22}]), Value::Null).as_i64().unwrap();
    // (4, id) moves line 8 from order 4 into the new order.
    ok(&db, "sale.order", "write", json!([[order], {"order_line": [[4, 8]]}]), Value::Null);
    assert_eq!(ids(&read_one(&db, "sale.order", order, json!(["order_line"]))["order_line"]), vec![8]);
    assert_eq!(read_one(&db, "sale.order", 4, json!(["order_line", "amount_total"]))["amount_total"], json!(0.0));
    // (3, id) on a cascading inverse deletes the line.
    ok(&db, "sale.order", "write", json!([[order], {"order_line": [[3, 8]]}]), Value::Null);
    assert_eq!(ok(&db, "sale.order.line", "search_count", json!([[["id", "=", 8]]]), Value::Null), json!(0));
    // (6, 0, ids) keeps only the given children.
    ok(&db, "sale.order", "write", json!([[2], {"order_line": [[6, 0, [4]]]}]), Value::Null);
    assert_eq!(ids(&read_one(&db, "sale.order", 2, json!(["order_line"]))["order_line"]), vec![4]);
}

#[test]
fn missing_records_are_missing_errors() {
    let db = db();
    let err = call(&db, "crm.lead", "write", json!([[999999], {"name": "x"}]), Value::Null).unwrap_err();
    assert_eq!(err.code(), 2);
    assert_eq!(err.fault_string(), "Record does not exist or has been deleted.\n(Record: crm.lead(999999,), User: 2)");
    let err = call(&db, "crm.lead", "unlink", json!([[1, 999998, 999999]]), Value::Null).unwrap_err();
    assert!(err.fault_string().contains("crm.lead(999998, 999999)"));
}

#[test]
fn validation_errors() {
    let db = db();
    let err = call(&db, "crm.lead", "create", json!([{"type": "lead"}]), Value::Null).unwrap_err();
    assert_eq!(err.code(), 2);
    assert!(err.fault_string().contains("a mandatory field is not set"));
    assert!(err.fault_string().contains("Field: Opportunity (name)"));
    let err = call(&db, "crm.lead", "write", json!([[1], {"name": false}]), Value::Null).unwrap_err();
    assert!(err.fault_string().contains("Field: Opportunity (name)"));
    let err = call(&db, "crm.lead", "create", json!([{"name": "x", "type": "nope"}]), Value::Null).unwrap_err();
    assert_eq!(err.code(), 1);
    assert!(err.fault_string().ends_with("ValueError: Wrong value for crm.lead.type: 'nope'\n"));
    let err = call(&db, "crm.lead", "create", json!([{"name": "x", "nope": 1}]), Value::Null).unwrap_err();
    assert!(err.to_string().ends_with("Invalid field 'nope' on model 'crm.lead'"));
    let err = call(&db, "crm.lead", "create", json!([{"name": "x", "stage_id": 999}]), Value::Null).unwrap_err();
    assert_eq!(err.code(), 2);
    let err = call(&db, "res.users", "create", json!([{"name": "Otra", "login": "sofia"}]), Value::Null).unwrap_err();
    assert_eq!(err.fault_string(), "The operation cannot be completed: You can not have two users with the same login!");
    let err = call(&db, "project.task", "write", json!([[2], {"parent_id": 2}]), Value::Null).unwrap_err();
    assert_eq!(err.fault_string(), "Sorry. You can't set a task as its parent task.");
    let err = call(&db, "project.task", "write", json!([[2], {"parent_id": 3}]), Value::Null).unwrap_err();
    assert_eq!(err.fault_string(), "Error! You cannot create a recursive hierarchy of tasks.");
}

#[test]
fn unlink_follows_ondelete_rules() {
    let db = db();
    let err = call(&db, "sale.order", "unlink", json!([[3]]), Value::Null).unwrap_err();
    assert_eq!(err.fault_string(), "You can not delete a sent quotation or a confirmed sales order. You must first cancel it.");
    // Restrict: partner 22 is the customer of order 4.
    let err = call(&db, "res.partner", "unlink", json!([[22]]), Value::Null).unwrap_err();
    assert!(err.fault_string().contains("Constraint: sale_order_partner_id_fkey"));
    assert_eq!(ok(&db, "res.partner", "search_count", json!([[["id", "=", 22]]]), Value::Null), json!(1));
    // Cascade: a draft order takes its lines with it.
    ok(&db, "sale.order", "unlink", json!([[4]]), Value::Null);
    assert_eq!(ok(&db, "sale.order.line", "search_count", json!([[["order_id", "=", 4]]]), Value::Null), json!(0));
    // Set null: lead 6 and task 4 point at partner 21.
    ok(&db, "res.partner", "unlink", json!([[21]]), Value::Null);
    assert_eq!(read_one(&db, "crm.lead", 6, json!(["partner_id"]))["partner_id"], json!(false));
    // Messages die with their record.
    ok(&db, "crm.lead", "unlink", json!([[3]]), Value::Null);
    assert_eq!(ok(&db, "mail.message", "search_count", json!([[["model", "=", "crm.lead"], ["res_id", "=", 3]]]), Value::Null), json!(0));
}

#[test]
fn a_failing_call_leaves_nothing_behind() {
    let db = db();
    let before = ok(&db, "sale.order", "search_count", json!([[]]), Value::Null);
    let lines_before = ok(&db, "sale.order.line", "search_count", json!([[]]), Value::Null);
    let err = call(
        &db,
        "sale.order",
        "create",
        json!([{"partner_id": 14, "order_line": [[0, 0, {"product_id": 26153}], [0, 0, {"product_id": 999999}]]}]),
        Value::Null,
    )
    .unwrap_err();
    assert_eq!(err.code(), 2);
    let err = call(&db, "crm.tag", "create", json!([[{"name": "ok"}, {"name": false}]]), Value::Null).unwrap_err();
    assert_eq!(err.code(), 2);
    assert_eq!(ok(&db, "sale.order", "search_count", json!([[]]), Value::Null), before);
    assert_eq!(ok(&db, "sale.order.line", "search_count", json!([[]]), Value::Null), lines_before);
    assert_eq!(ok(&db, "crm.tag", "search_count", json!([[["name", "=", "ok"]]]), Value::Null), json!(0));
    // Neither the sequence number nor the ids were consumed.
    let order = ok(&db, "sale.order", "create", json!([{"partner_id": 14}]), Value::Null);
    assert_eq!(order, json!(5));
    assert_eq!(read_one(&db, "sale.order", 5, json!(["name"]))["name"], json!("S00005"));
}

#[test]
fn users_inherit_their_partner() {
    let db = db();
    let uid = ok(&db, "res.users", "create", json!([{"name": "Nuevo Vendedor", "login": "nuevo", "phone": "+525511112222"}]), Value::Null);
    let user = read_one(&db, "res.users", uid.as_i64().unwrap(), json!(["name", "phone", "partner_id", "password", "share"]));
    assert_eq!(user["name"], json!("Nuevo Vendedor"));
    assert_eq!(user["phone"], json!("+525511112222"));
    assert_eq!(user["password"], json!(false));
    assert_eq!(user["share"], json!(false));
    let partner = user["partner_id"][0].as_i64().unwrap();
    assert_eq!(read_one(&db, "res.partner", partner, json!(["phone"]))["phone"], json!("+525511112222"));
    ok(&db, "res.users", "write", json!([[7], {"phone": "+525500000007"}]), Value::Null);
    assert_eq!(read_one(&db, "res.partner", 8, json!(["phone"]))["phone"], json!("+525500000007"));
}
