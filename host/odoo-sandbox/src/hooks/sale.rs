//! `sale` behaviour: order numbering, addresses and pricelist; line description, taxes
//! and price from the product and the order's pricelist; deletion guards.

use serde_json::{Map, Value};

use crate::compute::{company_currency, teams_of};
use crate::fault::Fault;
use crate::registry;
use crate::store::{Record, State, Tx, display_name, truthy};

pub(super) fn order_before_create(tx: &mut Tx<'_>, rec: &mut Record) -> Result<(), Fault> {
    let name = rec.get("name").and_then(Value::as_str).unwrap_or("New");
    if name == "New" {
        let number = super::next_by_code(tx, "sale.order").unwrap_or_else(|| "New".to_owned());
        rec.insert("name".into(), Value::from(number));
    }
    let partner = rec.get("partner_id").and_then(Value::as_i64);
    for (field, kind) in [
        ("partner_invoice_id", "invoice"),
        ("partner_shipping_id", "delivery"),
    ] {
        if rec.get(field).and_then(Value::as_i64).is_none()
            && let Some(p) = partner
        {
            rec.insert(field.into(), Value::from(address(tx.state(), p, kind)));
        }
    }
    if rec.get("pricelist_id").and_then(Value::as_i64).is_none()
        && let Some(pricelist) = default_pricelist(tx.state(), partner)
    {
        rec.insert("pricelist_id".into(), Value::from(pricelist));
    }
    let currency = order_currency(
        tx.state(),
        rec.get("pricelist_id").and_then(Value::as_i64),
        rec,
    );
    rec.insert(
        "currency_id".into(),
        currency.map_or(Value::Bool(false), Value::from),
    );
    if rec.get("team_id").and_then(Value::as_i64).is_none()
        && let Some(team) = rec
            .get("user_id")
            .and_then(Value::as_i64)
            .and_then(|u| teams_of(tx.state(), u).first().copied())
    {
        rec.insert("team_id".into(), Value::from(team));
    }
    Ok(())
}

/// A child address of the given type, else the partner itself (`address_get`).
fn address(state: &State, partner: i64, kind: &str) -> i64 {
    state
        .ids("res.partner")
        .into_iter()
        .find(|&c| {
            state.m2o("res.partner", c, "parent_id") == Some(partner)
                && state.str_field("res.partner", c, "type") == Some(kind)
        })
        .unwrap_or(partner)
}

/// The customer's pricelist, else the first active pricelist.
fn default_pricelist(state: &State, partner: Option<i64>) -> Option<i64> {
    if let Some(p) = partner.and_then(|p| state.m2o("res.partner", p, "property_product_pricelist"))
    {
        return Some(p);
    }
    let model = registry::model("product.pricelist").expect("product.pricelist");
    let mut ids: Vec<i64> = state
        .ids(model.name)
        .into_iter()
        .filter(|&i| state.is_active(model, i))
        .collect();
    crate::order::sort_default(state, model, &mut ids);
    ids.first().copied()
}

fn order_currency(state: &State, pricelist: Option<i64>, rec: &Record) -> Option<i64> {
    pricelist
        .and_then(|p| state.m2o("product.pricelist", p, "currency_id"))
        .or_else(|| {
            rec.get("company_id")
                .and_then(Value::as_i64)
                .and_then(|c| company_currency(state, c))
        })
}

pub(super) fn order_before_write(
    tx: &mut Tx<'_>,
    vals: &mut Map<String, Value>,
) -> Result<(), Fault> {
    if let Some(partner) = vals.get("partner_id").and_then(Value::as_i64) {
        let invoice = address(tx.state(), partner, "invoice");
        let shipping = address(tx.state(), partner, "delivery");
        vals.entry("partner_invoice_id")
            .or_insert(Value::from(invoice));
        vals.entry("partner_shipping_id")
            .or_insert(Value::from(shipping));
    }
    if let Some(pricelist) = vals.get("pricelist_id").and_then(Value::as_i64)
        && let Some(currency) = tx
            .state()
            .m2o("product.pricelist", pricelist, "currency_id")
    {
        vals.entry("currency_id").or_insert(Value::from(currency));
    }
    Ok(())
}

pub(super) fn order_before_unlink(tx: &mut Tx<'_>, ids: &[i64]) -> Result<(), Fault> {
    for &id in ids {
        let state = tx
            .state()
            .str_field("sale.order", id, "state")
            .unwrap_or("draft");
        if !matches!(state, "draft" | "cancel") {
            return Err(Fault::user(
                "You can not delete a sent quotation or a confirmed sales order. You must first cancel it.",
            ));
        }
    }
    Ok(())
}

pub(super) fn line_before_create(
    tx: &mut Tx<'_>,
    rec: &mut Record,
    vals: &Map<String, Value>,
) -> Result<(), Fault> {
    if rec.get("display_type").is_some_and(truthy) {
        rec.insert("product_uom_qty".into(), Value::from(0.0));
        rec.insert("price_unit".into(), Value::from(0.0));
        return Ok(());
    }
    let Some(product) = rec.get("product_id").and_then(Value::as_i64) else {
        return Ok(());
    };
    let order = rec.get("order_id").and_then(Value::as_i64);
    let qty = rec
        .get("product_uom_qty")
        .and_then(Value::as_f64)
        .unwrap_or(1.0);
    apply_product(tx.state(), rec, vals, product, order, qty);
    Ok(())
}

/// Description, unit, taxes and price from the product, unless given explicitly.
fn apply_product(
    state: &State,
    rec: &mut Record,
    given: &Map<String, Value>,
    product: i64,
    order: Option<i64>,
    qty: f64,
) {
    let pmodel = registry::model("product.product").expect("product.product");
    if !given.contains_key("name") {
        let mut name = display_name(state, pmodel, product);
        if let Some(desc) = state
            .str_field("product.product", product, "description_sale")
            .filter(|d| !d.is_empty())
        {
            name = format!("{name}\n{desc}");
        }
        rec.insert("name".into(), Value::from(name));
    }
    if !given.contains_key("product_uom")
        && let Some(uom) = state.m2o("product.product", product, "uom_id")
    {
        rec.insert("product_uom".into(), Value::from(uom));
    }
    if !given.contains_key("tax_id") {
        rec.insert(
            "tax_id".into(),
            Value::from(state.id_list("product.product", product, "taxes_id")),
        );
    }
    if !given.contains_key("price_unit") {
        let pricelist = order.and_then(|o| state.m2o("sale.order", o, "pricelist_id"));
        rec.insert(
            "price_unit".into(),
            Value::from(pricelist_price(state, pricelist, product, qty)),
        );
    }
}

/// The unit price of a product under a pricelist: the first applicable rule in rule order
/// (variant, then category, then global; higher minimum quantities first), else the list
/// price.
pub(crate) fn pricelist_price(
    state: &State,
    pricelist: Option<i64>,
    product: i64,
    qty: f64,
) -> f64 {
    let list_price = state.num("product.product", product, "list_price");
    let Some(pricelist) = pricelist else {
        return list_price;
    };
    let model = registry::model("product.pricelist.item").expect("pricelist items");
    let categ = state.m2o("product.product", product, "categ_id");
    let mut items: Vec<i64> = state
        .ids(model.name)
        .into_iter()
        .filter(|&i| state.m2o(model.name, i, "pricelist_id") == Some(pricelist))
        .filter(|&i| state.num(model.name, i, "min_quantity") <= qty)
        .filter(|&i| {
            match state
                .str_field(model.name, i, "applied_on")
                .unwrap_or("3_global")
            {
                "0_product_variant" => state.m2o(model.name, i, "product_id") == Some(product),
                "2_product_category" => categ
                    .is_some_and(|c| in_category(state, c, state.m2o(model.name, i, "categ_id"))),
                _ => true,
            }
        })
        .collect();
    crate::order::sort_default(state, model, &mut items);
    let Some(&item) = items.first() else {
        return list_price;
    };
    match state
        .str_field(model.name, item, "compute_price")
        .unwrap_or("fixed")
    {
        "percentage" => list_price * (1.0 - state.num(model.name, item, "percent_price") / 100.0),
        _ => state.num(model.name, item, "fixed_price"),
    }
}

fn in_category(state: &State, categ: i64, target: Option<i64>) -> bool {
    let mut current = Some(categ);
    for _ in 0..16 {
        match current {
            Some(c) if Some(c) == target => return true,
            Some(c) => current = state.m2o("product.category", c, "parent_id"),
            None => return false,
        }
    }
    false
}

pub(super) fn line_before_write(
    tx: &mut Tx<'_>,
    ids: &[i64],
    vals: &mut Map<String, Value>,
) -> Result<(), Fault> {
    let Some(product) = vals.get("product_id").and_then(Value::as_i64) else {
        return Ok(());
    };
    // Changing the product recomputes description, unit, taxes and price, as the
    // product's onchange-style computes do; only one line's context is needed.
    let Some(&line) = ids.first() else {
        return Ok(());
    };
    let state = tx.state();
    let order = state.m2o("sale.order.line", line, "order_id");
    let qty = state.num("sale.order.line", line, "product_uom_qty");
    let mut rec = Record::new();
    apply_product(state, &mut rec, vals, product, order, qty);
    for (k, v) in rec {
        if k == "tax_id" {
            vals.insert(
                k,
                Value::from(vec![Value::from(vec![Value::from(6), Value::from(0), v])]),
            );
        } else {
            vals.insert(k, v);
        }
    }
    Ok(())
}

pub(super) fn line_before_unlink(tx: &mut Tx<'_>, ids: &[i64]) -> Result<(), Fault> {
    let state = tx.state();
    for &id in ids {
        let order_state = state
            .m2o("sale.order.line", id, "order_id")
            .and_then(|o| state.str_field("sale.order", o, "state"));
        let is_note = state
            .row("sale.order.line", id)
            .and_then(|r| r.get("display_type"))
            .is_some_and(truthy);
        if order_state == Some("sale") && !is_note {
            return Err(Fault::user(
                "Once a sales order is confirmed, you can't remove one of its lines (we need to track if \
                 something gets invoiced or delivered).\nSet the quantity to 0 instead.",
            ));
        }
    }
    Ok(())
}

pub(super) fn item_before_create(rec: &mut Record, vals: &Map<String, Value>) {
    if vals.contains_key("applied_on") {
        return;
    }
    let applied_on = if rec.get("product_id").is_some_and(truthy) {
        "0_product_variant"
    } else if rec.get("categ_id").is_some_and(truthy) {
        "2_product_category"
    } else {
        "3_global"
    };
    rec.insert("applied_on".into(), Value::from(applied_on));
}
