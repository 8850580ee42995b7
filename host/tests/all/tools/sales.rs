//! Sale order writes on the development instance: create, add lines, update an
//! allow-list of fields (and nothing else), read back.

use serde_json::json;

use super::Tools;
use crate::support::assert_contains;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sale_orders_are_created_extended_updated_and_read() {
    let t = Tools::start().await;
    let created = t.ok("dev_create_sale", json!({"partner_id": 21, "user_id": 9, "payment_term_id": 4, "note": "Entrega <urgente>"})).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["name"], "S00005");
    assert_eq!(created["values"]["note"], "<p>Entrega &lt;urgente&gt;</p>");

    let line = t
        .ok(
            "dev_create_sale_line",
            json!({"order_id": id, "product_id": 26153, "product_uom_qty": 2}),
        )
        .await;
    assert_eq!(
        (line["price_unit"].clone(), line["price_subtotal"].clone()),
        (json!(199000.0), json!(398000.0))
    );
    let manual = t
        .ok("dev_create_sale_line", json!({"order_id": id, "product_id": 26172, "price_unit": 4000, "name": "Charola extra"}))
        .await;
    assert_eq!(manual["price_unit"], 4000.0);
    assert_contains(
        &t.err(
            "dev_create_sale_line",
            json!({"order_id": id, "product_id": 26172, "product_uom_qty": 0}),
        )
        .await,
        "invalid input: product_uom_qty: must be greater than 0, got 0",
    );

    let updated = t
        .ok("dev_update_sale", json!({"sale_id": id, "values": {"client_order_ref": "PO-77", "validity_date": "2027-01-31", "user_id": 7}}))
        .await;
    assert_eq!(
        updated["updated_fields"],
        json!(["client_order_ref", "user_id", "validity_date"])
    );
    for refused in [
        json!({"state": "sale"}),
        json!({"amount_total": 1}),
        json!({"order_line": [[5]]}),
        json!({"origin": "x", "name": "S1"}),
    ] {
        let err = t
            .err("dev_update_sale", json!({"sale_id": id, "values": refused}))
            .await;
        assert_contains(
            &err,
            "not writable with dev_update_sale (allowed: client_order_ref, commitment_date, date_order,",
        );
    }
    assert_contains(
        &t.err(
            "dev_update_sale",
            json!({"sale_id": id, "values": {"validity_date": "pronto"}}),
        )
        .await,
        "values.validity_date: 'pronto' is not a date",
    );
    assert_eq!(
        t.read("sale.order", id, &["state", "origin"]).await["origin"],
        false,
        "a refused update writes nothing"
    );

    let record = t.ok("dev_read_sale", json!({"sale_id": id})).await["record"].clone();
    assert_eq!(record["client_order_ref"], "PO-77");
    assert_eq!(record["user_id"], json!({"id": 7, "name": "Sofía Ramírez"}));
    assert_eq!(record["note"], "Entrega <urgente>");
    assert_eq!(record["state"], "draft");
    assert_eq!(record["amount_untaxed"], 402000.0);
    assert_eq!(record["order_line"].as_array().unwrap().len(), 2);
    let two = t
        .ok(
            "dev_read_sale",
            json!({"sale_id": id, "fields": ["partner_id", "name"]}),
        )
        .await;
    assert_eq!(
        two["record"],
        json!({"name": "S00005", "partner_id": {"id": 21, "name": "Miguel Ángel Castro"}})
    );
    assert_contains(
        &t.err("dev_read_sale", json!({"sale_id": id, "fields": ["nope"]}))
            .await,
        "invalid input: fields: sale.order has no field nope",
    );
    assert_contains(
        &t.err("dev_read_sale", json!({"sale_id": 9999})).await,
        "not found: sale.order 9999 does not exist",
    );

    // The read tools use the read-only instance, which sees the same sandbox data.
    let seen = t
        .ok("get_sale", json!({"sale_id": id, "include_lines": true}))
        .await;
    assert_eq!(
        (
            seen["name"].clone(),
            seen["order_lines"].as_array().unwrap().len()
        ),
        (json!("S00005"), 2)
    );
}
