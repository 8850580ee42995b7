//! Computed fields: live ones evaluated on read, stored ones recomputed before commit.
//!
//! Stored computes mirror Odoo's `@api.depends` chains that the tools observe: line
//! subtotals and taxes, order amounts, and a lead's prorated revenue. They run once per
//! transaction over the rows it touched, so every mutation path (create, write, x2many
//! commands, cascades) is covered by one rule.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::registry::{FieldDef, ModelDef};
use crate::store::{State, Tx, display_name, ids_of};

/// Company used where a record names none (the sandbox has one company).
const MAIN_COMPANY: i64 = 1;

/// A live-computed field's value, in cache format.
pub(crate) fn live(state: &State, model: &'static ModelDef, id: i64, field: &FieldDef) -> Value {
    match (model.name, field.name) {
        (_, "message_ids") => Value::from(messages(state, model.name, id)),
        ("res.partner", "complete_name") | ("product.category", "complete_name") => {
            Value::String(display_name(state, model, id))
        }
        ("product.pricelist.item", "name") => Value::String(display_name(state, model, id)),
        ("res.partner", "commercial_partner_id") => Value::from(commercial_partner(state, id)),
        ("res.users", "sale_team_id") => teams_of(state, id)
            .first()
            .copied()
            .map_or(Value::Bool(false), Value::from),
        ("res.users", "crm_team_ids") => Value::from(teams_of(state, id)),
        ("crm.team" | "crm.lead" | "product.product", "currency_id" | "company_currency") => {
            let company = state
                .m2o(model.name, id, "company_id")
                .unwrap_or(MAIN_COMPANY);
            company_currency(state, company).map_or(Value::Bool(false), Value::from)
        }
        ("crm.lead", "quotation_count") => {
            Value::from(lead_orders(state, id, &["draft", "sent"]).len())
        }
        ("crm.lead", "sale_amount_total") => {
            let total: f64 = lead_orders(state, id, &["sale"])
                .iter()
                .map(|&o| state.num("sale.order", o, "amount_untaxed"))
                .sum();
            Value::from(round2(total))
        }
        ("project.project", "task_count") => {
            let count = state
                .table("project.task")
                .rows
                .values()
                .filter(|r| r.get("project_id").and_then(Value::as_i64) == Some(id))
                .filter(|r| r.get("active") != Some(&Value::Bool(false)))
                .count();
            Value::from(count)
        }
        ("project.task", "is_closed") => {
            let state_key = state
                .str_field("project.task", id, "state")
                .unwrap_or_default();
            Value::Bool(matches!(state_key, "1_done" | "1_canceled"))
        }
        _ => crate::store::empty(field),
    }
}

/// Messages posted on a record, newest first.
fn messages(state: &State, model: &str, id: i64) -> Vec<i64> {
    let mut ids: Vec<i64> = state
        .table("mail.message")
        .rows
        .iter()
        .filter(|(_, r)| {
            r.get("model").and_then(Value::as_str) == Some(model)
                && r.get("res_id").and_then(Value::as_i64) == Some(id)
        })
        .map(|(mid, _)| *mid)
        .collect();
    ids.reverse();
    ids
}

fn commercial_partner(state: &State, id: i64) -> i64 {
    let mut current = id;
    for _ in 0..16 {
        let is_company = state
            .row("res.partner", current)
            .and_then(|r| r.get("is_company"))
            == Some(&Value::Bool(true));
        match state.m2o("res.partner", current, "parent_id") {
            Some(parent) if !is_company && state.exists("res.partner", parent) => current = parent,
            _ => break,
        }
    }
    current
}

/// Active teams a user leads or belongs to, in team order.
pub(crate) fn teams_of(state: &State, uid: i64) -> Vec<i64> {
    let model = crate::registry::model("crm.team").expect("crm.team");
    let mut ids: Vec<i64> = state
        .ids("crm.team")
        .into_iter()
        .filter(|&t| state.is_active(model, t))
        .filter(|&t| {
            state.id_list("crm.team", t, "member_ids").contains(&uid)
                || state.m2o("crm.team", t, "user_id") == Some(uid)
        })
        .collect();
    crate::order::sort_default(state, model, &mut ids);
    ids
}

pub(crate) fn company_currency(state: &State, company: i64) -> Option<i64> {
    state.m2o("res.company", company, "currency_id")
}

fn lead_orders(state: &State, lead: i64, states: &[&str]) -> Vec<i64> {
    state
        .table("sale.order")
        .rows
        .iter()
        .filter(|(_, r)| r.get("opportunity_id").and_then(Value::as_i64) == Some(lead))
        .filter(|(_, r)| {
            r.get("state")
                .and_then(Value::as_str)
                .is_some_and(|s| states.contains(&s))
        })
        .map(|(id, _)| *id)
        .collect()
}

/// Monetary rounding of the sandbox's currencies (0.01).
pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Recomputes stored computed fields of every row the transaction touched.
pub(crate) fn recompute(tx: &mut Tx<'_>) {
    let mut orders: BTreeSet<i64> = tx.touched("sale.order").into_iter().collect();
    for line in tx.touched("sale.order.line") {
        if let Some(order) = tx
            .original("sale.order.line", line)
            .and_then(|r| r.get("order_id"))
            .and_then(Value::as_i64)
        {
            orders.insert(order);
        }
        if tx.state().exists("sale.order.line", line) {
            recompute_line(tx, line);
            orders.extend(tx.state().m2o("sale.order.line", line, "order_id"));
        }
    }
    for order in orders {
        if tx.state().exists("sale.order", order) {
            recompute_order(tx, order);
        }
    }
    for lead in tx.touched("crm.lead") {
        if tx.state().exists("crm.lead", lead) {
            let s = tx.state();
            let prorated = s.num("crm.lead", lead, "expected_revenue")
                * s.num("crm.lead", lead, "probability")
                / 100.0;
            set_if_changed(
                tx,
                "crm.lead",
                lead,
                "prorated_revenue",
                Value::from(round2(prorated)),
            );
        }
    }
}

fn recompute_line(tx: &mut Tx<'_>, line: i64) {
    let s = tx.state();
    let qty = s.num("sale.order.line", line, "product_uom_qty");
    let price = s.num("sale.order.line", line, "price_unit");
    let discount = s.num("sale.order.line", line, "discount");
    let rate: f64 = ids_of(&s.stored("sale.order.line", line, "tax_id"))
        .iter()
        .filter(|&&t| s.str_field("account.tax", t, "amount_type") == Some("percent"))
        .map(|&t| s.num("account.tax", t, "amount"))
        .sum();
    let subtotal = round2(qty * price * (1.0 - discount / 100.0));
    let tax = round2(subtotal * rate / 100.0);
    set_if_changed(
        tx,
        "sale.order.line",
        line,
        "price_subtotal",
        Value::from(subtotal),
    );
    set_if_changed(tx, "sale.order.line", line, "price_tax", Value::from(tax));
    set_if_changed(
        tx,
        "sale.order.line",
        line,
        "price_total",
        Value::from(round2(subtotal + tax)),
    );
}

fn recompute_order(tx: &mut Tx<'_>, order: i64) {
    let s = tx.state();
    let (mut untaxed, mut tax) = (0.0, 0.0);
    for r in s.table("sale.order.line").rows.values() {
        if r.get("order_id").and_then(Value::as_i64) == Some(order) {
            untaxed += r
                .get("price_subtotal")
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            tax += r.get("price_tax").and_then(Value::as_f64).unwrap_or(0.0);
        }
    }
    let (untaxed, tax) = (round2(untaxed), round2(tax));
    set_if_changed(
        tx,
        "sale.order",
        order,
        "amount_untaxed",
        Value::from(untaxed),
    );
    set_if_changed(tx, "sale.order", order, "amount_tax", Value::from(tax));
    set_if_changed(
        tx,
        "sale.order",
        order,
        "amount_total",
        Value::from(round2(untaxed + tax)),
    );
}

fn set_if_changed(tx: &mut Tx<'_>, model: &'static str, id: i64, field: &str, value: Value) {
    if tx.state().row(model, id).and_then(|r| r.get(field)) != Some(&value) {
        tx.set(model, id, field, value);
    }
}
