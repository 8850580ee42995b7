//! Unit prices for order lines: a price the caller gave, else the configured pricelist's
//! fixed price for the product variant, else the product's list price.
//!
//! Two calls however many lines: the products (names, list prices, and proof they
//! exist) and the pricelist's fixed-price rules for them. Only variant rules
//! (`product_id`) are read, as in the seed system; the rule with the highest minimum
//! quantity not above the line's quantity wins, and rules outside their dates are
//! skipped.

use std::collections::BTreeMap;

use daniel_plugin_sdk::prelude::*;

use crate::clock;

/// One line to price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineRequest {
    /// `product.product` id.
    pub product_id: i64,
    /// Quantity, > 0.
    pub qty: f64,
    /// A price fixed by the caller; `None` to look it up.
    pub price: Option<f64>,
}

/// Where a unit price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    /// The caller gave it.
    Manual,
    /// The pricelist's fixed price for the product.
    Pricelist,
    /// The product's list price (no pricelist rule applied).
    ListPrice,
}

/// A priced line.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PricedLine {
    /// `product.product` id.
    pub product_id: i64,
    /// The product's name.
    pub product_name: String,
    /// Quantity.
    pub qty: f64,
    /// Unit price.
    pub price_unit: f64,
    /// Where the unit price came from.
    pub source: PriceSource,
}

/// A product as read for pricing.
#[derive(Debug, Clone, Deserialize)]
pub struct ProductRow {
    /// `product.product` id.
    pub id: i64,
    /// Name.
    #[serde(default, deserialize_with = "false_as_none")]
    pub name: Option<String>,
    /// Sales price.
    #[serde(default)]
    pub list_price: f64,
}

#[derive(Deserialize)]
struct RuleRow {
    product_id: Many2one,
    #[serde(default)]
    fixed_price: f64,
    #[serde(default)]
    min_quantity: f64,
}

/// Prices `lines` (see the module docs), in order.
///
/// # Errors
///
/// [`ToolError::NotFound`] naming the product ids that do not exist, else what Odoo
/// refused.
pub fn price_lines(
    ctx: &Context,
    pricelist_id: i64,
    lines: &[LineRequest],
) -> Result<Vec<PricedLine>, ToolError> {
    let mut ids: Vec<i64> = lines.iter().map(|l| l.product_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let products = read_products(ctx, &ids)?;
    let auto: Vec<i64> = lines
        .iter()
        .filter(|l| l.price.is_none())
        .map(|l| l.product_id)
        .collect();
    let rules = if auto.is_empty() {
        Vec::new()
    } else {
        fixed_rules(ctx, pricelist_id, &auto)?
    };
    Ok(lines
        .iter()
        .map(|line| {
            let product = &products[&line.product_id];
            let (price_unit, source) = match line.price {
                Some(p) => (p, PriceSource::Manual),
                None => match best_rule(&rules, line.product_id, line.qty) {
                    Some(p) => (p, PriceSource::Pricelist),
                    None => (product.list_price, PriceSource::ListPrice),
                },
            };
            PricedLine {
                product_id: line.product_id,
                product_name: product.name.clone().unwrap_or_default(),
                qty: line.qty,
                price_unit,
                source,
            }
        })
        .collect())
}

/// The products `ids` by id.
///
/// # Errors
///
/// [`ToolError::NotFound`] naming every id that does not exist.
pub fn read_products(ctx: &Context, ids: &[i64]) -> Result<BTreeMap<i64, ProductRow>, ToolError> {
    let rows: Vec<ProductRow> = ctx
        .odoo()
        .read("product.product", ids, &["name", "list_price"])?;
    let found: BTreeMap<i64, ProductRow> = rows.into_iter().map(|r| (r.id, r)).collect();
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !found.contains_key(id))
        .map(i64::to_string)
        .collect();
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(ToolError::not_found(format!(
            "product.product {} does not exist (look products up with find_products)",
            missing.join(", ")
        )))
    }
}

fn fixed_rules(ctx: &Context, pricelist_id: i64, ids: &[i64]) -> Result<Vec<RuleRow>, ToolError> {
    let now = clock::now_utc();
    let domain = json!([
        ["pricelist_id", "=", pricelist_id],
        ["product_id", "in", ids],
        ["compute_price", "=", "fixed"],
        "|",
        ["date_start", "=", false],
        ["date_start", "<=", now],
        "|",
        ["date_end", "=", false],
        ["date_end", ">=", now],
    ]);
    Ok(ctx.odoo().search_read(
        "product.pricelist.item",
        domain,
        &["product_id", "fixed_price", "min_quantity"],
        SearchOpts::default(),
    )?)
}

fn best_rule(rules: &[RuleRow], product_id: i64, qty: f64) -> Option<f64> {
    rules
        .iter()
        .filter(|r| r.product_id.id() == Some(product_id) && r.min_quantity <= qty)
        .max_by(|a, b| a.min_quantity.total_cmp(&b.min_quantity))
        .map(|r| r.fixed_price)
}

/// The pricelist's fixed unit price (quantity 1) of each product that has one.
///
/// # Errors
///
/// What Odoo refused.
pub fn pricelist_prices(
    ctx: &Context,
    pricelist_id: i64,
    ids: &[i64],
) -> Result<BTreeMap<i64, f64>, ToolError> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rules = fixed_rules(ctx, pricelist_id, ids)?;
    Ok(ids
        .iter()
        .filter_map(|&id| best_rule(&rules, id, 1.0).map(|p| (id, p)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(product: i64, price: f64, min_qty: f64) -> RuleRow {
        RuleRow {
            product_id: Many2one::new(product, ""),
            fixed_price: price,
            min_quantity: min_qty,
        }
    }

    #[test]
    fn the_rule_with_the_highest_reached_minimum_wins() {
        let rules = [rule(1, 100.0, 0.0), rule(1, 90.0, 5.0), rule(2, 50.0, 0.0)];
        assert_eq!(best_rule(&rules, 1, 1.0), Some(100.0));
        assert_eq!(best_rule(&rules, 1, 5.0), Some(90.0));
        assert_eq!(best_rule(&rules, 2, 9.0), Some(50.0));
        assert_eq!(best_rule(&rules, 3, 1.0), None);
    }
}
