//! `dev_update_lead_quotation`: won, lost with a reason, notes, conversion, linking and
//! unlinking quotations, replacing and adding products; refusals write nothing.

use serde_json::json;

use super::{Tools, m2o_id};
use crate::support::assert_contains;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opportunity_is_won_with_a_note_and_another_lost_with_a_reason() {
    let t = Tools::start().await;
    let won = t
        .ok(
            "dev_update_lead_quotation",
            json!({"lead_id": 2, "mark_as_won": true, "message": "Cliente confirmó <compra>"}),
        )
        .await;
    assert_eq!(
        (won["marked_won"].clone(), won["message_posted"].clone()),
        (json!(true), json!(true))
    );
    assert_eq!(
        won["sale_order_name"], "S00002",
        "the opportunity's sent quotation is reported"
    );
    assert_eq!(won["steps"].as_array().unwrap().len(), 2);
    let lead = t.read("crm.lead", 2, &["stage_id", "probability"]).await;
    assert_eq!(
        (m2o_id(&lead["stage_id"]), lead["probability"].clone()),
        (Some(4), json!(100.0))
    );
    let note = t
        .read(
            "mail.message",
            won["message_id"].as_i64().unwrap(),
            &["model", "res_id", "body", "subtype_id"],
        )
        .await;
    assert_eq!(
        (note["model"].clone(), note["res_id"].clone()),
        (json!("crm.lead"), json!(2))
    );
    assert_eq!(note["body"], "<p>Cliente confirmó &lt;compra&gt;</p>");
    assert_eq!(note["subtype_id"][1], "Note");

    let lost = t
        .ok(
            "dev_update_lead_quotation",
            json!({"lead_id": 3, "mark_as_lost": true, "lost_reason_id": 16}),
        )
        .await;
    assert_eq!(lost["marked_lost"], true);
    let lead = t
        .read("crm.lead", 3, &["active", "lost_reason_id", "probability"])
        .await;
    assert_eq!(
        (
            lead["active"].clone(),
            m2o_id(&lead["lost_reason_id"]),
            lead["probability"].clone()
        ),
        (json!(false), Some(16), json!(0.0))
    );

    let cleared = t
        .ok(
            "dev_update_lead_quotation",
            json!({"lead_id": 1, "description": ""}),
        )
        .await;
    assert_eq!(cleared["lead_updated"], true);
    assert_eq!(
        t.read("crm.lead", 1, &["description"]).await["description"],
        false
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quotations_are_linked_unlinked_and_their_products_replaced_or_added() {
    let t = Tools::start().await;
    let new = t.ok("dev_create_sale", json!({"partner_id": 15})).await["id"]
        .as_i64()
        .unwrap();
    let linked = t
        .ok(
            "dev_update_lead_quotation",
            json!({"lead_id": 1, "link_quotation_id": new, "unlink_other_quotations": true}),
        )
        .await;
    assert_eq!(linked["unlinked_quotation_ids"], json!([1]));
    assert_eq!(linked["sale_order_id"], new);
    assert_eq!(
        t.read("sale.order", 1, &["opportunity_id"]).await["opportunity_id"],
        false
    );
    assert_eq!(
        m2o_id(&t.read("sale.order", new, &["opportunity_id"]).await["opportunity_id"]),
        Some(1)
    );

    let replaced = t
        .ok(
            "dev_update_lead_quotation",
            json!({"lead_id": 1, "products": [{"product_id": 26150, "qty": 1}]}),
        )
        .await;
    assert_eq!(replaced["products_updated"], true);
    assert_eq!(
        replaced["lines"][0]["price_unit"], 275000.0,
        "pricelist 82, like a new quotation"
    );
    let added = t
        .ok("dev_update_lead_quotation", json!({"lead_id": 1, "products": [{"product_id": 26172, "qty": 2}], "replace_products": false}))
        .await;
    assert_eq!(added["sale_order_id"], new);
    assert_eq!(
        t.read("sale.order", new, &["order_line"]).await["order_line"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    t.ok(
        "dev_update_lead_quotation",
        json!({"lead_id": 1, "products": [{"product_id": 26153, "qty": 3, "price": 180000}]}),
    )
    .await;
    let order = t
        .read("sale.order", new, &["order_line", "amount_untaxed"])
        .await;
    assert_eq!(
        (
            order["order_line"].as_array().unwrap().len(),
            order["amount_untaxed"].clone()
        ),
        (1, json!(540000.0))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_is_converted_before_it_can_be_won() {
    let t = Tools::start().await;
    let err = t
        .err(
            "dev_update_lead_quotation",
            json!({"lead_id": 6, "mark_as_won": true}),
        )
        .await;
    assert_contains(
        &err,
        "invalid input: mark_as_won/mark_as_lost: 6 is a lead, not an opportunity",
    );
    let done = t
        .ok(
            "dev_update_lead_quotation",
            json!({"lead_id": 6, "convert_to_opportunity": true, "mark_as_won": true}),
        )
        .await;
    assert_eq!(
        (
            done["converted"].clone(),
            done["lead_type"].clone(),
            done["marked_won"].clone()
        ),
        (json!(true), json!("opportunity"), json!(true))
    );
    let lead = t
        .read("crm.lead", 6, &["type", "stage_id", "date_conversion"])
        .await;
    assert_eq!(
        (lead["type"].clone(), m2o_id(&lead["stage_id"])),
        (json!("opportunity"), Some(4))
    );
    assert!(lead["date_conversion"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_updates_write_nothing() {
    let t = Tools::start().await;
    let cases = [
        (
            json!({"lead_id": 2, "mark_as_won": true, "mark_as_lost": true}),
            "invalid input: mark_as_won, mark_as_lost: choose one, not both",
        ),
        (
            json!({"lead_id": 9999, "message": "hola"}),
            "not found: lead_id: crm.lead 9999 does not exist",
        ),
        (
            json!({"lead_id": 2, "mark_as_lost": true, "lost_reason_id": 999}),
            "not found: lost_reason_id: crm.lost.reason 999 does not exist",
        ),
        (
            json!({"lead_id": 2, "message": "x", "link_quotation_id": 9999}),
            "not found: link_quotation_id: sale.order 9999 does not exist",
        ),
        (
            json!({"lead_id": 7, "message": "x", "products": [{"product_id": 26150}]}),
            "not found: products: opportunity 7 has no draft or sent quotation",
        ),
        (
            json!({"lead_id": 4, "message": "x", "link_quotation_id": 3, "products": [{"product_id": 26150}]}),
            "invalid input: products: quotation S00003 is sale",
        ),
        (
            json!({"lead_id": 2, "message": "x", "products": [{"product_id": 424242}]}),
            "not found: product.product 424242 does not exist",
        ),
        (json!({"lead_id": 2}), "invalid input: nothing to update"),
    ];
    for (args, want) in cases {
        assert_contains(&t.err("dev_update_lead_quotation", args).await, want);
    }
    let notes = t
        .odoo(
            "mail.message",
            "search_count",
            json!([[["model", "=", "crm.lead"], ["body", "ilike", "<p>x</p>"]]]),
            json!({}),
        )
        .await;
    assert_eq!(notes, 0, "no step ran before a refusal");
    assert_eq!(
        m2o_id(&t.read("sale.order", 3, &["opportunity_id"]).await["opportunity_id"]),
        Some(4)
    );
}
