//! The seed system's Odoo call sequences (seed-spec §8.2 quotation, §9 lead update), run
//! call for call against the sandbox.

use serde_json::{Value, json};

use crate::testutil::{db, ids, ok};

#[test]
fn quotation_flow() {
    let db = db();
    // 1. Connectivity probe.
    assert_eq!(
        ok(
            &db,
            "res.partner",
            "search_read",
            json!([[], ["id"]]),
            json!({"limit": 1})
        )
        .as_array()
        .unwrap()
        .len(),
        1
    );
    // 2. Partner by exact email: not found, so create one.
    let found = ok(
        &db,
        "res.partner",
        "search_read",
        json!([
            [["email", "=", "nuevo@cliente.example"]],
            ["id", "name", "email", "phone"]
        ]),
        json!({"limit": 1}),
    );
    assert_eq!(found, json!([]));
    let partner = ok(
        &db,
        "res.partner",
        "create",
        json!([{"name": "Laura Cliente", "email": "nuevo@cliente.example", "phone": "+525511223344", "is_company": false, "type": "contact", "city": "Puebla"}]),
        Value::Null,
    );
    // 3. Salesperson: explicit. 4. Lead.
    let lead = ok(
        &db,
        "crm.lead",
        "create",
        json!([{
            "name": "Servibot - Cliente Nuevo", "partner_name": "Cliente Nuevo SA", "contact_name": "Laura Cliente",
            "phone": "+525511223344", "email_from": "nuevo@cliente.example", "type": "lead", "partner_id": partner,
            "user_id": 9, "description": "Resumen de la llamada", "x_studio_producto": 26153,
        }]),
        Value::Null,
    );
    // 5. Conversion by plain write.
    let converted = ok(
        &db,
        "crm.lead",
        "write",
        json!([[lead], {"type": "opportunity", "date_conversion": "2026-11-26 12:00:00", "stage_id": 3, "user_id": 9}]),
        Value::Null,
    );
    assert_eq!(converted, json!(true));
    // 6. Sale order, then its name.
    let order = ok(
        &db,
        "sale.order",
        "create",
        json!([{
            "partner_id": partner, "opportunity_id": lead, "origin": "Servibot - Cliente Nuevo",
            "note": "<p>Cotización desde oportunidad: Servibot - Cliente Nuevo</p>", "user_id": 9,
        }]),
        Value::Null,
    );
    let name = ok(
        &db,
        "sale.order",
        "read",
        json!([[order], ["name"]]),
        Value::Null,
    );
    assert_eq!(name[0]["name"], json!("S00005"));
    // 7. Lines: pricelist 82 item when no price is given, else list price.
    for (product, qty) in [(26153, 2.0), (26155, 1.0)] {
        ok(
            &db,
            "product.product",
            "read",
            json!([[product], ["name"]]),
            Value::Null,
        );
        let items = ok(
            &db,
            "product.pricelist.item",
            "search_read",
            json!([
                [["pricelist_id", "=", 82], ["product_id", "=", product]],
                ["fixed_price"]
            ]),
            json!({"limit": 1}),
        );
        let price = match items.as_array().unwrap().first() {
            Some(item) => item["fixed_price"].as_f64().unwrap(),
            None => ok(
                &db,
                "product.product",
                "read",
                json!([[product], ["list_price"]]),
                Value::Null,
            )[0]["list_price"]
                .as_f64()
                .unwrap(),
        };
        let line = ok(
            &db,
            "sale.order.line",
            "create",
            json!([{"order_id": order, "product_id": product, "product_uom_qty": qty, "price_unit": price}]),
            Value::Null,
        );
        assert!(line.is_i64());
    }
    // 8. Re-read the lead.
    let lead_row = ok(
        &db,
        "crm.lead",
        "read",
        json!([
            [lead],
            [
                "description",
                "x_studio_producto",
                "type",
                "stage_id",
                "order_ids",
                "quotation_count"
            ]
        ]),
        Value::Null,
    );
    assert_eq!(
        lead_row[0]["x_studio_producto"],
        json!([26153, "[PUDU-KETTY] KettyBot"])
    );
    assert_eq!(lead_row[0]["description"], json!("Resumen de la llamada"));
    assert_eq!(lead_row[0]["stage_id"], json!([3, "Proposition"]));
    assert_eq!(lead_row[0]["order_ids"], json!([order]));
    assert_eq!(lead_row[0]["quotation_count"], json!(1));
    let totals = ok(
        &db,
        "sale.order",
        "read",
        json!([[order], ["amount_untaxed", "amount_total"]]),
        Value::Null,
    );
    // 2 × 185000 (pricelist 82) + 265000 (list price) = 635000; + 16 % = 736600.
    assert_eq!(totals[0]["amount_untaxed"], json!(635000.0));
    assert_eq!(totals[0]["amount_total"], json!(736600.0));
    // Load balancing now counts the new opportunity for Valeria (user 9).
    let domain = json!([
        ["stage_id", "in", [1, 2, 10, 3]],
        ["active", "=", true],
        ["type", "=", "opportunity"],
        ["user_id", "=", 9]
    ]);
    assert_eq!(
        ok(
            &db,
            "crm.lead",
            "search_count",
            json!([domain]),
            Value::Null
        ),
        json!(2)
    );
}

#[test]
fn lead_update_flow() {
    let db = db();
    let lead = 1;
    // 1. Read the lead.
    let row = ok(
        &db,
        "crm.lead",
        "read",
        json!([[lead], ["id", "name", "partner_id", "type"]]),
        Value::Null,
    );
    assert_eq!(row[0]["type"], json!("opportunity"));
    // 2-4. Description update.
    ok(
        &db,
        "crm.lead",
        "write",
        json!([[lead], {"description": "<p>Actualizado</p>"}]),
        Value::Null,
    );
    // 5. Internal note.
    let message = ok(
        &db,
        "crm.lead",
        "message_post",
        json!([[lead]]),
        json!({"body": "<p>Nota</p>", "subtype_xmlid": "mail.mt_note"}),
    );
    assert!(message.is_i64());
    // 8. Link an existing order, unlinking the others.
    let others = ok(
        &db,
        "sale.order",
        "search_read",
        json!([
            [["opportunity_id", "=", lead], ["id", "!=", 4]],
            ["id", "name"]
        ]),
        Value::Null,
    );
    for other in others.as_array().unwrap() {
        ok(
            &db,
            "sale.order",
            "write",
            json!([[other["id"]], {"opportunity_id": false}]),
            Value::Null,
        );
    }
    ok(
        &db,
        "sale.order",
        "write",
        json!([[4], {"opportunity_id": lead}]),
        Value::Null,
    );
    // 9. Replace the products of the active quotation.
    let found = ok(
        &db,
        "sale.order",
        "search_read",
        json!([
            [
                ["opportunity_id", "=", lead],
                ["state", "in", ["draft", "sent"]]
            ],
            ["id", "name", "order_line"]
        ]),
        json!({"limit": 1}),
    );
    let order = found[0]["id"].as_i64().unwrap();
    assert_eq!(order, 4);
    ok(
        &db,
        "sale.order",
        "write",
        json!([[order], {"order_line": [[5, 0, 0]]}]),
        Value::Null,
    );
    let list_price = ok(
        &db,
        "product.product",
        "read",
        json!([[26157], ["list_price"]]),
        Value::Null,
    )[0]["list_price"]
        .clone();
    let line = ok(
        &db,
        "sale.order.line",
        "create",
        json!([{"order_id": order, "product_id": 26157, "product_uom_qty": 1.0, "price_unit": list_price}]),
        Value::Null,
    );
    let manual = ok(
        &db,
        "sale.order.line",
        "create",
        json!([{"order_id": order, "product_id": 26174, "product_uom_qty": 2.0, "price_unit": 9000.0}]),
        Value::Null,
    );
    ok(
        &db,
        "sale.order.line",
        "write",
        json!([[manual], {"price_unit": 9000.0}]),
        Value::Null,
    );
    let lines = ok(
        &db,
        "sale.order",
        "read",
        json!([[order], ["order_line", "amount_untaxed"]]),
        Value::Null,
    );
    assert_eq!(
        ids(&lines[0]["order_line"]),
        vec![line.as_i64().unwrap(), manual.as_i64().unwrap()]
    );
    assert_eq!(lines[0]["amount_untaxed"], json!(328000.0));
    // 7. Lost by write (the dev client's RPC-safe variant).
    ok(
        &db,
        "crm.lead",
        "write",
        json!([[lead], {"active": false, "probability": 0, "lost_reason_id": 6}]),
        Value::Null,
    );
    assert_eq!(
        ok(
            &db,
            "crm.lead",
            "search",
            json!([[["id", "=", lead]]]),
            Value::Null
        ),
        json!([])
    );
}
