//! Domain parsing and evaluation against the seed data (archived records included, so
//! these tests see pure domain semantics; the implicit `active` filter is tested with
//! `search`).
//!
//! Seed leads: 1 Hotel Fiesta Azul (partner 15 under company 14, user 7, stage 3, 60 %),
//! 2 La Terraza (partner 17, user 8, stage 2, 30 %), 3 Hospital (partner 19, user 9,
//! stage 10, 45 %), 4 Logístico (partner 20, won), 5 Cafetería (no partner, archived, 0 %),
//! 6 Miguel (type lead, partner 21, 10 %), 7 Torre Reforma (no partner, user 11, 25 %).

use serde_json::{Value, json};

mod malformed;

use super::{compile, parse};
use crate::registry::model;
use crate::seed::{DEFAULT_SEED, load};
use crate::store::State;

fn state() -> State {
    load(DEFAULT_SEED).expect("seed")
}

fn matching(state: &State, model_name: &str, domain: Value) -> Vec<i64> {
    let m = model(model_name).unwrap();
    let node = parse(m, &domain).unwrap_or_else(|f| panic!("{domain}: {f}"));
    let cond = compile(state, &node).unwrap();
    state
        .ids(m.name)
        .into_iter()
        .filter(|&id| cond.matches(state, m, id))
        .collect()
}

fn leads(state: &State, domain: Value) -> Vec<i64> {
    matching(state, "crm.lead", domain)
}

#[test]
fn comparison_operators() {
    let s = state();
    assert_eq!(leads(&s, json!([["type", "=", "lead"]])), vec![6]);
    assert_eq!(
        leads(&s, json!([["type", "!=", "lead"]])),
        vec![1, 2, 3, 4, 5, 7]
    );
    assert_eq!(
        leads(&s, json!([["type", "<>", "lead"]])),
        vec![1, 2, 3, 4, 5, 7]
    );
    assert_eq!(leads(&s, json!([["probability", "<", 30]])), vec![5, 6, 7]);
    assert_eq!(
        leads(&s, json!([["probability", "<=", 30]])),
        vec![2, 5, 6, 7]
    );
    assert_eq!(leads(&s, json!([["probability", ">", 45]])), vec![1, 4]);
    assert_eq!(leads(&s, json!([["probability", ">=", 45]])), vec![1, 3, 4]);
    assert_eq!(
        leads(&s, json!([["probability", "=", "60"]])),
        vec![1],
        "numeric text is cast"
    );
}

#[test]
fn pattern_operators() {
    let s = state();
    assert_eq!(leads(&s, json!([["name", "like", "Hotel"]])), vec![1]);
    assert_eq!(
        leads(&s, json!([["name", "like", "hotel"]])),
        Vec::<i64>::new(),
        "like is case-sensitive"
    );
    assert_eq!(leads(&s, json!([["name", "ilike", "hotel"]])), vec![1]);
    assert_eq!(
        leads(&s, json!([["name", "not like", "Hotel"]])),
        vec![2, 3, 4, 5, 6, 7]
    );
    assert_eq!(
        leads(&s, json!([["name", "not ilike", "SERVIBOT"]])),
        Vec::<i64>::new()
    );
    assert_eq!(
        leads(&s, json!([["name", "=like", "Servibot - H%"]])),
        vec![1, 3]
    );
    assert_eq!(
        leads(&s, json!([["name", "=like", "Hotel"]])),
        Vec::<i64>::new(),
        "=like is anchored"
    );
    assert_eq!(
        leads(&s, json!([["name", "=ilike", "servibot - h%"]])),
        vec![1, 3]
    );
    assert_eq!(
        leads(&s, json!([["display_name", "ilike", "terraza"]])),
        vec![2]
    );
    // Unset values match the negative form, as SQL `OR col IS NULL` in Odoo.
    assert_eq!(
        leads(&s, json!([["date_deadline", "not ilike", "2026"]])),
        vec![2, 3, 4, 5, 6, 7]
    );
}

#[test]
fn membership_and_optional_equality() {
    let s = state();
    assert_eq!(
        leads(&s, json!([["stage_id", "in", [1, 2]]])),
        vec![2, 5, 6, 7]
    );
    assert_eq!(
        leads(&s, json!([["stage_id", "not in", [1, 2]]])),
        vec![1, 3, 4]
    );
    assert_eq!(leads(&s, json!([["id", "in", [1, 2, 99]]])), vec![1, 2]);
    assert_eq!(leads(&s, json!([["type", "in", []]])), Vec::<i64>::new());
    assert_eq!(leads(&s, json!([["user_id", "=?", false]])).len(), 7);
    assert_eq!(leads(&s, json!([["user_id", "=?", 7]])), vec![1, 4]);
}

#[test]
fn many2one_by_id_name_and_false() {
    let s = state();
    assert_eq!(leads(&s, json!([["partner_id", "=", 15]])), vec![1]);
    assert_eq!(
        leads(
            &s,
            json!([["partner_id", "=", [15, "Hotel Fiesta Azul, Ana López"]]])
        ),
        vec![1]
    );
    assert_eq!(
        leads(
            &s,
            json!([["partner_id", "=", "Hotel Fiesta Azul, Ana López"]])
        ),
        vec![1]
    );
    assert_eq!(leads(&s, json!([["partner_id", "ilike", "ana"]])), vec![1]);
    assert_eq!(
        leads(&s, json!([["partner_id", "not ilike", "ana"]])),
        vec![2, 3, 4, 5, 6, 7]
    );
    assert_eq!(leads(&s, json!([["partner_id", "=", false]])), vec![5, 7]);
    assert_eq!(
        leads(&s, json!([["partner_id", "!=", false]])),
        vec![1, 2, 3, 4, 6]
    );
    assert_eq!(
        leads(&s, json!([["partner_id", "in", [false, 15]]])),
        vec![1, 5, 7]
    );
    assert_eq!(
        leads(&s, json!([["partner_id", "!=", 15]])),
        vec![2, 3, 4, 5, 6, 7]
    );
    assert_eq!(
        leads(&s, json!([["stage_id", "=", "Negotiation"]])),
        vec![3]
    );
}

#[test]
fn hierarchy_operators() {
    let s = state();
    assert_eq!(leads(&s, json!([["partner_id", "child_of", 14]])), vec![1]);
    assert_eq!(
        leads(&s, json!([["partner_id", "child_of", [16]]])),
        vec![2]
    );
    assert_eq!(leads(&s, json!([["partner_id", "parent_of", 15]])), vec![1]);
    assert_eq!(
        matching(&s, "project.task", json!([["id", "child_of", 2]])),
        vec![2, 3]
    );
    assert_eq!(
        matching(
            &s,
            "project.task",
            json!([["parent_id", "=", false], ["project_id", "=", 1]])
        ),
        vec![1, 2]
    );
}

#[test]
fn x2many_fields() {
    let s = state();
    assert_eq!(leads(&s, json!([["tag_ids", "in", [1, 2]]])), vec![1, 2]);
    assert_eq!(leads(&s, json!([["tag_ids", "=", 3]])), vec![3]);
    assert_eq!(leads(&s, json!([["tag_ids", "=", false]])), vec![5, 6, 7]);
    assert_eq!(
        leads(&s, json!([["tag_ids", "!=", 1]])),
        vec![2, 3, 4, 5, 6, 7]
    );
    assert_eq!(leads(&s, json!([["tag_ids", "ilike", "hotel"]])), vec![1]);
    assert_eq!(
        leads(&s, json!([["order_ids", "=", false]])),
        vec![3, 5, 6, 7]
    );
    assert_eq!(
        matching(&s, "project.task", json!([["user_ids", "in", [7]]])),
        vec![2, 3, 6]
    );
}

#[test]
fn dotted_paths_follow_relations() {
    let s = state();
    assert_eq!(
        leads(&s, json!([["partner_id.email", "ilike", "fiestaazul"]])),
        vec![1]
    );
    assert_eq!(
        leads(
            &s,
            json!([["partner_id.parent_id.name", "=", "Hospital San Ángel"]])
        ),
        vec![3]
    );
    // A path through an empty many2one matches nothing, even with a negative operator.
    assert_eq!(
        leads(&s, json!([["partner_id.email", "!=", "x"]])),
        vec![1, 2, 3, 4, 6]
    );
    assert_eq!(
        leads(&s, json!([["order_ids.state", "=", "sale"]])),
        vec![4]
    );
    assert_eq!(
        leads(&s, json!([["user_id.login", "=", "sofia"]])),
        vec![1, 4]
    );
    assert_eq!(
        matching(
            &s,
            "sale.order.line",
            json!([["order_id.partner_id.parent_id", "=", 14]])
        ),
        vec![1, 2, 3]
    );
}

#[test]
fn any_and_not_any() {
    let s = state();
    assert_eq!(
        leads(
            &s,
            json!([["partner_id", "any", [["is_company", "=", true]]]])
        ),
        vec![4]
    );
    assert_eq!(
        leads(
            &s,
            json!([["partner_id", "not any", [["is_company", "=", true]]]])
        ),
        vec![1, 2, 3, 5, 6, 7]
    );
    assert_eq!(
        leads(
            &s,
            json!([["order_ids", "any", [["state", "in", ["draft", "sent"]]]]])
        ),
        vec![1, 2]
    );
}

#[test]
fn prefix_operators_and_implicit_and() {
    let s = state();
    assert_eq!(
        leads(&s, json!(["|", ["stage_id", "=", 1], ["stage_id", "=", 2]])),
        vec![2, 5, 6, 7]
    );
    assert_eq!(
        leads(&s, json!(["!", ["type", "=", "opportunity"]])),
        vec![6]
    );
    assert_eq!(
        leads(
            &s,
            json!([
                "&",
                ["type", "=", "opportunity"],
                "|",
                ["user_id", "=", 7],
                ["user_id", "=", 8]
            ])
        ),
        vec![1, 2, 4]
    );
    assert_eq!(
        leads(&s, json!([["user_id", "=", 7], ["stage_id", "=", 3]])),
        vec![1]
    );
    assert_eq!(
        leads(
            &s,
            json!(["|", "!", ["user_id", "=", 7], ["probability", ">", 90]])
        ),
        vec![2, 3, 4, 5, 6, 7]
    );
    assert_eq!(
        leads(
            &s,
            json!([
                "|",
                ["type", "=", "lead"],
                "&",
                ["type", "=", "opportunity"],
                "!",
                ["name", "ilike", "hotel"]
            ])
        ),
        vec![2, 3, 4, 5, 6, 7]
    );
    assert_eq!(leads(&s, json!([])).len(), 7);
    assert_eq!(leads(&s, json!([[1, "=", 1]])).len(), 7);
    assert_eq!(leads(&s, json!([[0, "=", 1]])), Vec::<i64>::new());
}

#[test]
fn dates_compare_in_field_format() {
    let s = state();
    assert_eq!(
        leads(&s, json!([["date_deadline", "<", "2027-01-01"]])),
        vec![1]
    );
    assert_eq!(
        leads(&s, json!([["date_deadline", "=", false]])),
        vec![2, 4, 5, 6, 7]
    );
    assert_eq!(
        leads(&s, json!([["date_conversion", ">=", "2026-10-01"]])),
        vec![1, 2, 7]
    );
    assert_eq!(
        leads(
            &s,
            json!([["date_conversion", ">=", "2026-10-05T16:20:00"]])
        ),
        vec![1, 2, 7]
    );
}

#[test]
fn active_is_detected_only_at_the_top_of_a_path() {
    let lead = model("crm.lead").unwrap();
    assert!(
        parse(lead, &json!([["active", "=", false]]))
            .unwrap()
            .mentions_active()
    );
    assert!(
        parse(lead, &json!(["|", ["active", "=", false], ["id", "=", 1]]))
            .unwrap()
            .mentions_active()
    );
    assert!(
        !parse(lead, &json!([["partner_id.active", "=", false]]))
            .unwrap()
            .mentions_active()
    );
}
