//! Malformed domains: faults (code 1) with Odoo's messages, never "match everything".

use serde_json::{Value, json};

use super::state;
use crate::domain::{compile, parse};
use crate::registry::model;

fn fault(model_name: &str, domain: Value) -> String {
    let m = model(model_name).unwrap();
    let err = parse(m, &domain)
        .and_then(|node| compile(&state(), &node).map(|_| ()))
        .expect_err(&format!("{domain} must be refused"));
    assert_eq!(err.code(), 1, "{domain}");
    err.to_string()
}

#[test]
fn malformed_domains_are_faults_never_match_all() {
    assert_eq!(
        fault("crm.lead", json!("x")),
        "ValueError: Domain 'x' is syntactically not correct."
    );
    assert!(fault("crm.lead", json!({"a": 1})).contains("syntactically not correct"));
    assert!(
        fault("crm.lead", json!(["|", ["type", "=", "lead"]]))
            .contains("syntactically not correct")
    );
    assert!(fault("crm.lead", json!(["&"])).contains("syntactically not correct"));
    assert!(fault("crm.lead", json!(["!"])).contains("syntactically not correct"));
    assert!(fault("crm.lead", json!([42])).contains("syntactically not correct"));
    assert!(fault("crm.lead", json!(["type", "=", "lead"])).contains("syntactically not correct"));
    assert_eq!(
        fault("crm.lead", json!([["type", "="]])),
        "ValueError: Invalid leaf ('type', '=')"
    );
    assert_eq!(
        fault("crm.lead", json!([["type", "bad", "x"]])),
        "ValueError: Invalid leaf ('type', 'bad', 'x')"
    );
    assert_eq!(
        fault("crm.lead", json!([["type", "not =ilike", "x"]])),
        "ValueError: Invalid leaf ('type', 'not =ilike', 'x')"
    );
    assert_eq!(
        fault("crm.lead", json!([["nope", "=", 1]])),
        "ValueError: Invalid field crm.lead.nope in leaf ('nope', '=', 1)"
    );
    assert!(
        fault("crm.lead", json!([["partner_id.nope", "=", 1]]))
            .contains("Invalid field res.partner.nope")
    );
    assert!(fault("crm.lead", json!([["name.x", "=", 1]])).contains("not a relational field"));
    assert!(fault("crm.lead", json!([["", "=", 1]])).contains("Invalid leaf"));
    assert!(fault("crm.lead", json!([["name", "any", []]])).contains("Invalid leaf"));
    assert!(fault("crm.lead", json!([["partner_id", "any", "x"]])).contains("Invalid leaf"));
    assert!(
        fault(
            "crm.lead",
            json!([["partner_id", "any", [["nope", "=", 1]]]])
        )
        .contains("Invalid field res.partner.nope")
    );
    assert!(fault("crm.lead", json!([["name", "child_of", 1]])).contains("Invalid leaf"));
    assert!(fault("crm.lead", json!([["type", "=", {"a": 1}]])).contains("Invalid leaf"));
    assert!(fault("crm.lead", json!([[2, "=", 1]])).contains("Invalid leaf"));
    assert!(
        fault("crm.lead", json!([["probability", "=", "abc"]])).contains("invalid input syntax")
    );
    assert!(
        fault("crm.lead", json!([["date_deadline", "<", "soon"]]))
            .contains("does not match format")
    );
}
