//! `display_name` for every model, following each model's `_compute_display_name`.

use super::State;
use crate::registry::{self, ModelDef};

/// Hierarchies deeper than this are treated as cycles (Odoo forbids cycles outright).
const MAX_DEPTH: usize = 16;

/// The display name of one record; empty when the record does not exist.
pub(crate) fn display_name(state: &State, model: &ModelDef, id: i64) -> String {
    if !state.exists(model.name, id) {
        return String::new();
    }
    match model.name {
        "res.partner" => partner(state, id, 0),
        "res.users" => user(state, id),
        "product.product" => product(state, id),
        "product.category" => category(state, id, 0),
        "product.pricelist" => pricelist(state, id),
        "product.pricelist.item" => pricelist_item(state, id),
        "sale.order.line" => order_line(state, id),
        "mail.message" => name_or_empty(state, model.name, id, "record_name"),
        _ if model.field("name").is_some() => name_or_empty(state, model.name, id, "name"),
        _ => format!("{},{id}", model.name),
    }
}

fn name_or_empty(state: &State, model: &str, id: i64, field: &str) -> String {
    state
        .str_field(model, id, field)
        .unwrap_or_default()
        .to_owned()
}

/// `Parent, Child` for contacts of a company, as `res.partner._compute_complete_name`.
fn partner(state: &State, id: i64, depth: usize) -> String {
    let name = state
        .str_field("res.partner", id, "name")
        .unwrap_or_default();
    let is_company = state
        .row("res.partner", id)
        .is_some_and(|r| r.get("is_company") == Some(&true.into()));
    match state.m2o("res.partner", id, "parent_id") {
        Some(parent) if !is_company && depth < MAX_DEPTH && state.exists("res.partner", parent) => {
            let parent_name = partner(state, parent, depth + 1);
            let own = if name.is_empty() {
                partner_type_label(state, id)
            } else {
                name.to_owned()
            };
            format!("{parent_name}, {own}")
        }
        _ => name.to_owned(),
    }
}

fn partner_type_label(state: &State, id: i64) -> String {
    let key = state
        .str_field("res.partner", id, "type")
        .unwrap_or("contact");
    let field = registry::model("res.partner").and_then(|m| m.field("type"));
    field
        .and_then(|f| f.selection.iter().find(|(k, _)| *k == key))
        .map(|(_, label)| (*label).to_owned())
        .unwrap_or_default()
}

fn user(state: &State, id: i64) -> String {
    state
        .m2o("res.users", id, "partner_id")
        .map(|p| {
            state
                .str_field("res.partner", p, "name")
                .unwrap_or_default()
                .to_owned()
        })
        .unwrap_or_default()
}

/// `[CODE] Name` when the product has an internal reference.
fn product(state: &State, id: i64) -> String {
    let name = state
        .str_field("product.product", id, "name")
        .unwrap_or_default();
    match state.str_field("product.product", id, "default_code") {
        Some(code) if !code.is_empty() => format!("[{code}] {name}"),
        _ => name.to_owned(),
    }
}

/// `All / Robots`, the category path.
fn category(state: &State, id: i64, depth: usize) -> String {
    let name = state
        .str_field("product.category", id, "name")
        .unwrap_or_default();
    match state.m2o("product.category", id, "parent_id") {
        Some(parent) if depth < MAX_DEPTH && state.exists("product.category", parent) => {
            format!("{} / {name}", category(state, parent, depth + 1))
        }
        _ => name.to_owned(),
    }
}

/// `Name (MXN)`: Odoo shows the currency beside a pricelist's name.
fn pricelist(state: &State, id: i64) -> String {
    let name = state
        .str_field("product.pricelist", id, "name")
        .unwrap_or_default();
    let currency = state
        .m2o("product.pricelist", id, "currency_id")
        .and_then(|c| state.str_field("res.currency", c, "name"));
    match currency {
        Some(cur) => format!("{name} ({cur})"),
        None => name.to_owned(),
    }
}

fn pricelist_item(state: &State, id: i64) -> String {
    let applied_on = state
        .str_field("product.pricelist.item", id, "applied_on")
        .unwrap_or("3_global");
    let product_id = state.m2o("product.pricelist.item", id, "product_id");
    let categ_id = state.m2o("product.pricelist.item", id, "categ_id");
    match (applied_on, product_id, categ_id) {
        ("0_product_variant", Some(p), _) => format!("Variant: {}", product(state, p)),
        ("2_product_category", _, Some(c)) => format!("Category: {}", category(state, c, 0)),
        _ => "All Products".to_owned(),
    }
}

/// `S00001 - Description` (first line of the description).
fn order_line(state: &State, id: i64) -> String {
    let order = state
        .m2o("sale.order.line", id, "order_id")
        .and_then(|o| state.str_field("sale.order", o, "name"))
        .unwrap_or_default();
    let name = state
        .str_field("sale.order.line", id, "name")
        .unwrap_or_default();
    let first = name.lines().next().unwrap_or_default();
    format!("{order} - {first}")
}
