//! The quotation flow: queued at once, then customer, least-loaded salesperson,
//! opportunity at the conversion stage, priced quotation and hand-off, checked in the
//! sandbox.

use serde_json::{Value, json};

use super::{Tools, m2o_id, quotation_args};
use crate::support::assert_contains;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_quotation_is_created_for_a_new_customer() {
    let t = Tools::start().await;
    let queued = t
        .ok(
            "dev_create_quotation",
            quotation_args("Ana.Ruiz@HotelSolCaribe.MX "),
        )
        .await;
    assert_eq!(queued["status"], "queued");
    assert!(queued["tracking_id"].as_str().unwrap().starts_with("quot_"));
    assert_contains(queued["message"].as_str().unwrap(), "NOT created yet");

    let status = t.wait_for(queued["tracking_id"].as_str().unwrap()).await;
    assert_eq!(status["status"], "completed", "{status}");
    assert_contains(status["message"].as_str().unwrap(), "The quotation exists");
    let r = &status["result"];
    assert_eq!(r["partner_reused"], false);
    assert_eq!(r["assignment"], "least_loaded");
    // Team 14: Sofía, Carlos and Valeria each have one open opportunity, Diego none.
    assert_eq!(
        r["salesperson"],
        json!({"id": 10, "name": "Diego Torres", "open_opportunities": 0})
    );
    assert_eq!(
        r["lines"][0],
        json!({"product_id": 26153, "product_name": "KettyBot", "qty": 2.0, "price_unit": 185000.0, "source": "pricelist"})
    );
    assert_eq!(
        (
            r["lines"][1]["price_unit"].clone(),
            r["lines"][1]["source"].clone()
        ),
        (json!(12500.0), json!("list_price"))
    );
    assert_eq!(r["amount_untaxed"], 382500.0);
    assert_eq!(r["amount_total"], 443700.0);
    assert_eq!(r["notification"]["sent"], true);
    assert_eq!(r["notification"]["message"]["recipient"], "salesperson");

    let (lead_id, order_id, partner_id) = (
        r["lead_id"].as_i64().unwrap(),
        r["sale_order_id"].as_i64().unwrap(),
        r["partner_id"].as_i64().unwrap(),
    );
    let partner = t
        .read(
            "res.partner",
            partner_id,
            &["name", "email", "phone", "city"],
        )
        .await;
    assert_eq!(
        (
            partner["name"].clone(),
            partner["email"].clone(),
            partner["phone"].clone(),
            partner["city"].clone()
        ),
        (
            json!("Ana Ruiz"),
            json!("ana.ruiz@hotelsolcaribe.mx"),
            json!("+529981234567"),
            json!("Cancún")
        )
    );
    let lead = t
        .read(
            "crm.lead",
            lead_id,
            &[
                "name",
                "type",
                "stage_id",
                "user_id",
                "team_id",
                "partner_id",
                "date_conversion",
                "x_studio_producto",
                "description",
                "partner_name",
            ],
        )
        .await;
    assert_eq!(lead["name"], "Servibot - Hotel Sol Caribe");
    assert_eq!(lead["type"], "opportunity");
    assert_eq!(m2o_id(&lead["stage_id"]), Some(3));
    assert_eq!(
        (m2o_id(&lead["user_id"]), m2o_id(&lead["team_id"])),
        (Some(10), Some(14))
    );
    assert_eq!(m2o_id(&lead["partner_id"]), Some(partner_id));
    assert_eq!(m2o_id(&lead["x_studio_producto"]), Some(26153));
    assert!(lead["date_conversion"].is_string());
    assert_contains(lead["description"].as_str().unwrap(), "Quiere 2 KettyBot");
    let order = t
        .read(
            "sale.order",
            order_id,
            &[
                "pricelist_id",
                "opportunity_id",
                "user_id",
                "origin",
                "order_line",
            ],
        )
        .await;
    assert_eq!(
        (
            m2o_id(&order["pricelist_id"]),
            m2o_id(&order["opportunity_id"])
        ),
        (Some(82), Some(lead_id))
    );
    assert_eq!(order["order_line"].as_array().unwrap().len(), 2);

    let outbox = t.host.state.outbox.messages();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].to, "+525512345604", "Diego's phone");
    let body = &outbox[0].body;
    for part in [
        r["sale_order_name"].as_str().unwrap(),
        "Ana Ruiz",
        "Hotel Sol Caribe",
        "KettyBot (x2)",
        "Cancún",
        "$443,700.00",
        "Quiere 2 KettyBot",
    ] {
        assert_contains(body, part);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returning_customer_is_reused_and_load_spreads_over_the_team() {
    let t = Tools::start().await;
    let first = t
        .quotation(quotation_args("ana.ruiz@hotelsolcaribe.mx"))
        .await;
    let second = t
        .quotation(quotation_args("  ANA.RUIZ@hotelsolcaribe.MX"))
        .await;
    assert_eq!(second["status"], "completed", "{second}");
    let (a, b) = (&first["result"], &second["result"]);
    assert_eq!(b["partner_reused"], true);
    assert_eq!(a["partner_id"], b["partner_id"]);
    assert_ne!(a["lead_id"], b["lead_id"]);
    assert_eq!(a["salesperson"]["id"], 10);
    // Now everyone has one: the lowest id wins the tie.
    assert_eq!(
        b["salesperson"],
        json!({"id": 7, "name": "Sofía Ramírez", "open_opportunities": 1})
    );
    let partners = t
        .odoo(
            "res.partner",
            "search_count",
            json!([[["email", "=ilike", "ana.ruiz@hotelsolcaribe.mx"]]]),
            json!({}),
        )
        .await;
    assert_eq!(partners, 1);

    // A chosen salesperson with only a mobile number is reached on it.
    let mut manual = quotation_args("compras@otrohotel.mx");
    manual["user_id"] = json!(8);
    manual["products"] = json!([{"product_id": 26150, "qty": 1, "price": 250000}]);
    let third = t.quotation(manual).await;
    let r = &third["result"];
    assert_eq!(
        (r["assignment"].clone(), r["salesperson"]["id"].clone()),
        (json!("manual"), json!(8))
    );
    assert_eq!(
        (
            r["lines"][0]["price_unit"].clone(),
            r["lines"][0]["source"].clone()
        ),
        (json!(250000.0), json!("manual"))
    );
    let outbox = t.host.state.outbox.messages();
    assert_eq!(
        outbox.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(),
        ["+525512345604", "+525512345601", "+528112345602"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_quotations_are_refused_or_fail_before_writing() {
    let t = Tools::start().await;
    let mut bad_email = quotation_args("ana@");
    assert_contains(
        &t.err("dev_create_quotation", bad_email.clone()).await,
        "invalid input: email: 'ana@' is not a valid address",
    );
    bad_email["email"] = json!("ana@hotel.mx");
    bad_email["products"] = json!([]);
    assert_contains(
        &t.err("dev_create_quotation", bad_email.clone()).await,
        "invalid input: products: give at least one",
    );
    bad_email["products"] = json!([{"product_id": 26153, "qty": 0}]);
    assert_contains(
        &t.err("dev_create_quotation", bad_email.clone()).await,
        "products[0].qty: must be greater than 0",
    );
    bad_email["products"] = json!([{"product_id": 26153}]);
    bad_email["phone"] = json!("55-XXXX");
    assert_contains(
        &t.err("dev_create_quotation", bad_email).await,
        "invalid input: phone: '55-XXXX' is not a valid phone number",
    );

    let leads_before = t
        .odoo("crm.lead", "search_count", json!([[]]), json!({}))
        .await;
    let mut unknown = quotation_args("nuevo@cliente.mx");
    unknown["products"] = json!([{"product_id": 999999, "qty": 1}]);
    let failed = t.quotation(unknown).await;
    assert_eq!(failed["status"], "failed");
    assert_contains(
        failed["error"].as_str().unwrap(),
        "product.product 999999 does not exist",
    );
    assert_contains(failed["message"].as_str().unwrap(), "NOT created");
    assert!(failed.get("result").is_none());
    assert_eq!(
        t.odoo("crm.lead", "search_count", json!([[]]), json!({}))
            .await,
        leads_before
    );
    assert_eq!(
        t.odoo(
            "res.partner",
            "search_count",
            json!([[["email", "=", "nuevo@cliente.mx"]]]),
            json!({})
        )
        .await,
        0
    );

    assert_contains(
        &t.err(
            "dev_get_quotation_status",
            json!({"tracking_id": "quot_000000000000"}),
        )
        .await,
        "not found: no quotation with tracking_id",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_is_reported_while_the_job_runs() {
    let t = Tools::start().await;
    let done = t.quotation(quotation_args("progreso@hotel.mx")).await;
    let progress: &Value = &done["progress"];
    assert!(
        progress
            .as_str()
            .is_some_and(|p| p.starts_with("Vendedor notificado")),
        "{done}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_without_the_main_product_field_still_gets_its_opportunity() {
    let mut config = super::repo_config();
    config["plugins"]["crm"]["settings"]
        .as_table_mut()
        .unwrap()
        .insert("main_product_field".into(), "x_studio_robot".into());
    let t = Tools::start_with(config).await;
    let done = t.quotation(quotation_args("studio@hotel.mx")).await;
    assert_eq!(done["status"], "completed", "{done}");
    let lead = t
        .read(
            "crm.lead",
            done["result"]["lead_id"].as_i64().unwrap(),
            &["type", "x_studio_producto"],
        )
        .await;
    assert_eq!(
        (lead["type"].clone(), lead["x_studio_producto"].clone()),
        (json!("opportunity"), json!(false))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_quotation_call_gets_the_first_job_back() {
    let t = Tools::start().await;
    let args = quotation_args("repite@hotel.mx");
    // An agent whose first call timed out calls again with the same arguments.
    let first = t.ok("dev_create_quotation", args.clone()).await;
    let again = t.ok("dev_create_quotation", args.clone()).await;
    assert_eq!(first["tracking_id"], again["tracking_id"]);
    let id = first["tracking_id"].as_str().unwrap();
    assert_eq!(t.wait_for(id).await["status"], "completed");
    let after = t.ok("dev_create_quotation", args.clone()).await;
    assert_eq!(after["tracking_id"], first["tracking_id"], "also once done");
    let leads = t
        .odoo(
            "crm.lead",
            "search_count",
            json!([[["email_from", "=ilike", "repite@hotel.mx"]]]),
            json!({}),
        )
        .await;
    assert_eq!(leads, 1, "one quotation, not one per call");
    // Another quantity is another quotation.
    let mut more = args;
    more["products"][0]["qty"] = json!(3);
    let other = t.ok("dev_create_quotation", more).await;
    assert_ne!(other["tracking_id"], first["tracking_id"]);
}
