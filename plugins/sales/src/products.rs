//! `find_products`: product ids, names and prices by name or internal reference, so an
//! agent quotes real ids instead of guessing them (the seed system had no catalogue).

use daniel_plugin_sdk::prelude::*;
use plugin_kit::page::{self, Page};
use plugin_kit::{pricing, text, validate};

use crate::Settings;

#[derive(Deserialize, JsonSchema)]
pub(crate) struct FindProductsArgs {
    /// Part of the product name or internal reference, e.g. "kettybot" or "PUDU-KETTY";
    /// empty lists the catalogue.
    #[serde(default)]
    query: String,
    /// Maximum number of products (1-100).
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    10
}

#[derive(Deserialize)]
struct Row {
    id: i64,
    name: String,
    #[serde(default, deserialize_with = "false_as_none")]
    default_code: Option<String>,
    #[serde(default)]
    list_price: f64,
    #[serde(default, deserialize_with = "false_as_none")]
    description_sale: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct Product {
    /// `product.product` id: what quotation tools take as `product_id`.
    id: i64,
    name: String,
    /// Internal reference.
    default_code: Option<String>,
    /// Sales price before any pricelist.
    list_price: f64,
    /// The configured pricelist's fixed price, if it has one for this product.
    pricelist_price: Option<f64>,
    /// The price a quotation will use: the pricelist price, else the list price.
    price: f64,
    /// Sales description (cut at 300 characters).
    description: Option<String>,
}

pub(crate) fn find_products(
    ctx: &Context,
    args: FindProductsArgs,
) -> Result<Page<Product>, ToolError> {
    let settings: Settings = ctx.settings()?;
    let mut domain = vec![json!(["sale_ok", "=", true])];
    if let Some(q) = validate::optional(Some(&args.query)) {
        domain.extend([
            json!("|"),
            json!(["name", "ilike", q]),
            json!(["default_code", "ilike", q]),
        ]);
    }
    let rows: Vec<Row> = ctx.odoo().search_read(
        "product.product",
        Value::Array(domain),
        &[
            "id",
            "name",
            "default_code",
            "list_price",
            "description_sale",
        ],
        page::opts(args.limit).order("name, id"),
    )?;
    let rows = page::page(rows, args.limit);
    let ids: Vec<i64> = rows.items.iter().map(|r| r.id).collect();
    let prices = pricing::pricelist_prices(ctx, settings.pricelist_id, &ids)?;
    let items = rows
        .items
        .into_iter()
        .map(|r| {
            let pricelist_price = prices.get(&r.id).copied();
            Product {
                id: r.id,
                price: pricelist_price.unwrap_or(r.list_price),
                pricelist_price,
                list_price: r.list_price,
                default_code: r.default_code,
                description: r.description_sale.map(|d| text::truncate(d.trim(), 300).0),
                name: r.name,
            }
        })
        .collect();
    Ok(Page {
        items,
        has_more: rows.has_more,
    })
}
