//! `message_notification`: the right salesperson gets a message with the context the
//! agent has, through the host's messaging (the offline outbox in tests).

use serde_json::json;

use super::{Tools, repo_config};
use crate::support::assert_contains;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_salesperson_of_the_lead_or_order_or_the_least_loaded_one_is_notified() {
    let t = Tools::start().await;
    let with_lead = t
        .ok("message_notification", json!({"user_phone": "998 123 4501", "reason": "Quiere negociar el precio", "lead_id": 1, "conversation_id": "conv_7"}))
        .await;
    assert_eq!(
        (with_lead["status"].clone(), with_lead["template"].clone()),
        (json!("sent"), json!("quotation"))
    );
    assert_eq!(
        (
            with_lead["assigned_by"].clone(),
            with_lead["salesperson"]["id"].clone()
        ),
        (json!("lead"), json!(7))
    );
    assert_eq!(with_lead["recipient"], "salesperson");
    let sent = t.host.state.outbox.messages();
    assert_eq!(sent[0].to, "+525512345601");
    for part in [
        "S00001",
        "Ana López",
        "Hotel Fiesta Azul",
        "SwiftBot",
        "+529981234501",
        "ana.lopez@fiestaazul.example",
        "Quiere negociar el precio",
        "conv_7",
    ] {
        assert_contains(&sent[0].body, part);
    }
    assert_eq!(sent[0].id, with_lead["message_id"].as_str().unwrap());

    let by_order = t
        .ok(
            "message_notification",
            json!({"user_phone": "+523331234501", "reason": "Dudas", "sale_order_id": 2}),
        )
        .await;
    assert_eq!(
        (
            by_order["assigned_by"].clone(),
            by_order["sale_order_name"].clone()
        ),
        (json!("sale_order"), json!("S00002"))
    );
    assert_eq!(
        t.host.state.outbox.messages()[1].to,
        "+528112345602",
        "Carlos has only a mobile"
    );

    let nobody = t
        .ok("message_notification", json!({"user_phone": "5544332211", "reason": "Quiere hablar con un asesor", "user_name": "Luis", "additional_context": "Pregunta por CC1"}))
        .await;
    assert_eq!(
        (nobody["template"].clone(), nobody["assigned_by"].clone()),
        (json!("human_attention"), json!("least_loaded"))
    );
    assert_eq!(nobody["salesperson"]["id"], 10);
    let body = &t.host.state.outbox.messages()[2].body;
    assert!(body.starts_with("Se solicita atención humana"), "{body}");
    for part in [
        "Luis",
        "+525544332211",
        "Quiere hablar con un asesor",
        "Pregunta por CC1",
        "Diego Torres (ID 10)",
    ] {
        assert_contains(body, part);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_salesperson_without_a_number_needs_a_fallback_recipient() {
    let t = Tools::start().await;
    // Order 4 belongs to the administrator, who has no phone.
    let err = t
        .err(
            "message_notification",
            json!({"user_phone": "+525500000000", "reason": "x", "sale_order_id": 4}),
        )
        .await;
    assert_contains(
        &err,
        "not found: salesperson Administrator (ID 2) has no usable phone or mobile",
    );
    assert_contains(
        &t.err(
            "message_notification",
            json!({"user_phone": "+525500000000", "reason": "x", "lead_id": 9999}),
        )
        .await,
        "not found: lead_id: crm.lead 9999 does not exist",
    );
    assert_contains(
        &t.err(
            "message_notification",
            json!({"user_phone": "hola", "reason": "x"}),
        )
        .await,
        "invalid input: user_phone: 'hola' is not a valid phone number",
    );
    assert!(t.host.state.outbox.messages().is_empty());
    drop(t);

    let mut config = repo_config();
    config["plugins"]["whatsapp"]["settings"]["messages"]
        .as_table_mut()
        .unwrap()
        .insert("fallback_recipient".into(), "+525500001111".into());
    let t = Tools::start_with(config).await;
    let sent = t
        .ok(
            "message_notification",
            json!({"user_phone": "+525500000000", "reason": "x", "sale_order_id": 4}),
        )
        .await;
    assert_eq!(sent["recipient"], "fallback");
    assert_eq!(t.host.state.outbox.messages()[0].to, "+525500001111");
}
