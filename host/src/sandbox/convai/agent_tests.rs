use super::*;

fn agent(product_tool: Option<&str>) -> Agent {
    Agent::new(
        "es",
        catalogue(daniel_odoo_sandbox::DEFAULT_SEED),
        "dev_create_quotation",
        product_tool,
    )
}

fn said(actions: &[Action]) -> String {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Say(s) => Some(s.as_str()),
            Action::Call { .. } | Action::CallLater { .. } => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_seed_catalogue_loads() {
    let c = catalogue(daniel_odoo_sandbox::DEFAULT_SEED);
    assert!(c.iter().any(|p| p.name == "KettyBot Pro" && p.id == 26154));
}

#[test]
fn prices_come_from_the_catalogue_without_a_tool() {
    let mut a = agent(None);
    let reply = said(&a.on_user("¿Cuánto cuesta el KettyBot Pro?"));
    assert!(reply.contains("KettyBot Pro cuesta $239,000"), "{reply}");
    let en = said(&a.on_user("How much is the BellaBot?"));
    assert!(en.contains("BellaBot costs $289,000"), "{en}");
}

#[test]
fn prices_ask_the_catalogue_tool_first() {
    let mut a = agent(Some("find_products"));
    let actions = a.on_user("precio del PuduBot 2");
    assert_eq!(
        actions,
        [Action::Call {
            tool: "find_products".into(),
            args: json!({"query": "PuduBot 2", "limit": 5})
        }]
    );
    let answer = r#"{"items":[{"id":26152,"name":"PuduBot 2","price":230000.0}]}"#;
    assert!(said(&a.on_tool_result("find_products", Ok(answer))).contains("$230,000"));
    // A failing tool falls back to the seed catalogue.
    a.on_user("precio del KettyBot");
    assert!(said(&a.on_tool_result("find_products", Err("unknown tool"))).contains("$199,000"));
}

#[test]
fn a_complete_request_creates_a_quotation() {
    let mut a = agent(None);
    let first = said(&a.on_user("Quiero una cotización de 2 KettyBot Pro"));
    assert!(
        first.contains("tu nombre") && first.contains("tu correo") && !first.contains("unidades"),
        "{first}"
    );
    let actions = a.on_user(
        "Me llamo Ana Ruiz de la empresa Hotel Sol, ana@hotelsol.mx, teléfono 55 1234 5678",
    );
    let Some(Action::Call { tool, args }) = actions.last() else {
        panic!("no call: {actions:?}")
    };
    assert_eq!(tool, "dev_create_quotation");
    assert_eq!(args["contact_name"], "Ana Ruiz");
    assert_eq!(args["partner_name"], "Hotel Sol");
    assert_eq!(args["email"], "ana@hotelsol.mx");
    assert_eq!(args["phone"], "5512345678");
    assert_eq!(args["products"], json!([{"product_id": 26154, "qty": 2}]));
    let done = said(&a.on_tool_result("dev_create_quotation", Ok(r#"{"tracking_id":"quot_1"}"#)));
    assert!(
        done.contains("Ana Ruiz") && done.contains("quot_1"),
        "{done}"
    );
}

#[test]
fn an_english_request_in_one_message() {
    let mut a = agent(None);
    let actions = a.on_user("Hi, I want a quote for 3 units of BellaBot. My name is John Smith, john@acme.com, phone +1 415 555 0100");
    let Some(Action::Call { args, .. }) = actions.last() else {
        panic!("no call: {actions:?}")
    };
    assert_eq!(args["products"], json!([{"product_id": 26150, "qty": 3}]));
    assert_eq!(args["phone"], "+14155550100");
    assert!(said(&actions).contains("creating your quotation"));
}

#[test]
fn tool_errors_are_read_back_and_the_bad_field_asked_again() {
    let mut a = agent(None);
    a.on_user("cotización de 1 CC1, me llamo Eva Paz, eva@x.mx, tel 5512345678");
    let reply = said(&a.on_tool_result(
        "dev_create_quotation",
        Err("email: 'eva@x.mx' is not valid"),
    ));
    assert!(reply.contains("No pude crear la cotización"), "{reply}");
    let again = said(&a.on_user("ok"));
    assert!(
        again.contains("tu correo") && !again.contains("tu nombre"),
        "{again}"
    );
}

#[test]
fn a_queued_quotation_is_followed_until_it_exists() {
    let mut a = agent(None).with_status_tool(Some("dev_get_quotation_status"));
    a.on_user("cotización de 1 CC1, me llamo Eva Paz, eva@paz.mx, tel 5512345678");
    let queued = r#"{"tracking_id":"quot_9","status":"queued"}"#;
    let actions = a.on_tool_result("dev_create_quotation", Ok(queued));
    assert!(said(&actions).contains("dame unos segundos"), "{actions:?}");
    assert!(matches!(&actions[1], Action::CallLater { tool, args, .. }
        if tool == "dev_get_quotation_status" && args["tracking_id"] == "quot_9"));
    let processing = r#"{"tracking_id":"quot_9","status":"processing"}"#;
    let again = a.on_tool_result("dev_get_quotation_status", Ok(processing));
    assert!(
        matches!(&again[..], [Action::CallLater { .. }]),
        "{again:?}"
    );
    let done =
        r#"{"tracking_id":"quot_9","status":"completed","result":{"sale_order_name":"S00042"}}"#;
    let reply = said(&a.on_tool_result("dev_get_quotation_status", Ok(done)));
    assert!(
        reply.contains("S00042") && reply.contains("Eva Paz"),
        "{reply}"
    );
}

#[test]
fn a_spoken_request_is_answered_in_english_and_collects_the_rest() {
    let mut a = agent(None);
    // What the recognizer makes of "what robots do you sell": no English cue word.
    let list = said(&a.on_spoken("What robots do you sell"));
    assert!(list.starts_with("We have robots such as"), "{list}");
    let next = said(&a.on_spoken("I would like a quotation for 2 KettyBot Pro"));
    assert!(
        next.contains("your name") && next.contains("email") && !next.contains("how many units"),
        "{next}"
    );
    let actions = a.on_user("My name is Ana Ruiz, ana@hotelsol.mx, phone 55 1234 5678");
    let Some(Action::Call { args, .. }) = actions.last() else {
        panic!("no call: {actions:?}")
    };
    assert_eq!(args["products"], json!([{"product_id": 26154, "qty": 2}]));
}

#[test]
fn yes_after_a_price_starts_a_quotation_for_that_product() {
    let mut a = agent(None);
    assert!(said(&a.on_spoken("How much is the BellaBot")).contains("Shall I prepare"));
    let next = said(&a.on_spoken("Yes please"));
    assert!(
        next.contains("your name") && next.contains("how many units"),
        "{next}"
    );
    let after = said(&a.on_spoken("2 units"));
    assert!(
        after.contains("your name") && !after.contains("how many"),
        "{after}"
    );
    assert_eq!(a.slots.qty, Some(2));
    // "Sí" without a product in mind is not a quotation.
    let mut b = agent(None);
    assert!(!said(&b.on_user("sí")).contains("tu nombre"));
}

#[test]
fn an_utterance_not_understood_asks_for_typing_and_says_why() {
    let a = agent(None);
    let unheard = said(&a.on_unheard(2.34, true));
    assert!(
        unheard.contains("No entendí esos 2.3 segundos"),
        "{unheard}"
    );
    let no_recognizer = said(&a.on_unheard(1.0, false));
    assert!(
        no_recognizer.contains("no puedo transcribir"),
        "{no_recognizer}"
    );
}
