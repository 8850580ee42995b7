//! x2many commands and the order amounts that follow them.

use serde_json::{Value, json};

use super::read_one;
use crate::testutil::{call, db, ids, ok};

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
    assert_eq!(
        (
            o["amount_untaxed"].clone(),
            o["amount_tax"].clone(),
            o["amount_total"].clone()
        ),
        (json!(384000.0), json!(61440.0), json!(445440.0))
    );
    let lines = ids(&o["order_line"]);
    let line = read_one(
        &db,
        "sale.order.line",
        lines[0],
        json!([
            "name",
            "price_unit",
            "price_subtotal",
            "tax_id",
            "product_uom"
        ]),
    );
    assert_eq!(
        line["price_unit"],
        json!(185000.0),
        "fixed price from pricelist 82"
    );
    assert_eq!(line["price_subtotal"], json!(370000.0));
    assert_eq!(line["tax_id"], json!([1]));
    assert_eq!(line["product_uom"], json!([1, "Units"]));
    assert!(
        line["name"]
            .as_str()
            .unwrap()
            .starts_with("[PUDU-KETTY] KettyBot\n")
    );

    ok(
        &db,
        "sale.order",
        "write",
        json!([[order], {"order_line": [[1, lines[0], {"product_uom_qty": 3}]]}]),
        Value::Null,
    );
    assert_eq!(
        read_one(&db, "sale.order", order, amounts.clone())["amount_total"],
        json!(660040.0)
    );
    ok(
        &db,
        "sale.order",
        "write",
        json!([[order], {"order_line": [[2, lines[1]]]}]),
        Value::Null,
    );
    let o = read_one(&db, "sale.order", order, amounts.clone());
    assert_eq!(o["amount_untaxed"], json!(555000.0));
    assert_eq!(ids(&o["order_line"]), vec![lines[0]]);
    assert_eq!(
        call(
            &db,
            "sale.order.line",
            "read",
            json!([[lines[1]], ["id"]]),
            Value::Null
        )
        .unwrap(),
        json!([])
    );

    let extra = ok(
        &db,
        "sale.order.line",
        "create",
        json!([{"order_id": order, "product_id": 26172, "product_uom_qty": 2, "discount": 50}]),
        Value::Null,
    );
    assert_eq!(
        read_one(&db, "sale.order", order, amounts.clone())["amount_untaxed"],
        json!(559500.0)
    );
    ok(
        &db,
        "sale.order.line",
        "unlink",
        json!([[extra]]),
        Value::Null,
    );
    ok(
        &db,
        "sale.order",
        "write",
        json!([[order], {"order_line": [[5]]}]),
        Value::Null,
    );
    let o = read_one(&db, "sale.order", order, amounts);
    assert_eq!(
        (o["amount_total"].clone(), o["order_line"].clone()),
        (json!(0.0), json!([]))
    );
}

#[test]
fn many2many_commands() {
    let db = db();
    let tags =
        |db: &crate::Database| ids(&read_one(db, "crm.lead", 6, json!(["tag_ids"]))["tag_ids"]);
    let write = |db: &crate::Database, v: Value| {
        call(
            db,
            "crm.lead",
            "write",
            json!([[6], {"tag_ids": v}]),
            Value::Null,
        )
    };
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
    assert_eq!(
        read_one(&db, "crm.tag", new_tag, json!(["name"]))["name"],
        json!("Renombrado")
    );
    write(&db, json!([[2, new_tag]])).unwrap();
    assert_eq!(
        ok(
            &db,
            "crm.tag",
            "search_count",
            json!([[["id", "=", new_tag]]]),
            Value::Null
        ),
        json!(0)
    );
    assert_eq!(tags(&db), vec![1, 2]);
    write(&db, json!(false)).unwrap();
    assert_eq!(tags(&db), Vec::<i64>::new());
    assert_eq!(
        write(&db, json!([[4, 999]])).unwrap_err().code(),
        2,
        "linking a missing record"
    );
    assert_eq!(
        write(&db, json!([[9, 1]])).unwrap_err().code(),
        1,
        "unknown command"
    );
    assert_eq!(write(&db, json!("x")).unwrap_err().code(), 1);
}

#[test]
fn one2many_link_unlink_and_set() {
    let db = db();
    let order = ok(
        &db,
        "sale.order",
        "create",
        json!([{"partner_id": 22}]),
        Value::Null,
    )
    .as_i64()
    .unwrap();
    // (4, id) moves line 8 from order 4 into the new order.
    ok(
        &db,
        "sale.order",
        "write",
        json!([[order], {"order_line": [[4, 8]]}]),
        Value::Null,
    );
    assert_eq!(
        ids(&read_one(&db, "sale.order", order, json!(["order_line"]))["order_line"]),
        vec![8]
    );
    assert_eq!(
        read_one(&db, "sale.order", 4, json!(["order_line", "amount_total"]))["amount_total"],
        json!(0.0)
    );
    // (3, id) on a cascading inverse deletes the line.
    ok(
        &db,
        "sale.order",
        "write",
        json!([[order], {"order_line": [[3, 8]]}]),
        Value::Null,
    );
    assert_eq!(
        ok(
            &db,
            "sale.order.line",
            "search_count",
            json!([[["id", "=", 8]]]),
            Value::Null
        ),
        json!(0)
    );
    // (6, 0, ids) keeps only the given children.
    ok(
        &db,
        "sale.order",
        "write",
        json!([[2], {"order_line": [[6, 0, [4]]]}]),
        Value::Null,
    );
    assert_eq!(
        ids(&read_one(&db, "sale.order", 2, json!(["order_line"]))["order_line"]),
        vec![4]
    );
}
