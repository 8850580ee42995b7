//! Sale orders: `list_sales` and `get_sale` (read tools, on the read-only instance),
//! `dev_create_sale`, `dev_create_sale_line`, `dev_update_sale` and `dev_read_sale`
//! (on the development instance; `dev_update_sale` writes an allow-list of fields
//! only), and `find_products` (name → id and prices) so an agent never guesses ids.

mod products;
mod read;
mod record;
mod write;

use daniel_plugin_sdk::prelude::*;

/// `[plugins.sales.settings]`.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Settings {
    /// `product.pricelist` whose fixed prices `find_products` reports (the seed's 82,
    /// "Clientes nacionales servibot").
    pricelist_id: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self { pricelist_id: 82 }
    }
}

daniel_plugin_sdk::plugin! {
    Sales,
    [
        Tool::new("list_sales", "Lists sale orders and quotations, filtered by customer, salesperson, state or number", read::list_sales)
            .title("List sale orders")
            .read_only()
            .closed_world(),
        Tool::new("get_sale", "Reads one sale order, optionally with its lines", read::get_sale)
            .title("Get a sale order")
            .read_only()
            .closed_world(),
        Tool::new("find_products", "Finds products by name or internal reference: id, name, list price and pricelist price. Use it before quoting", products::find_products)
            .title("Find products")
            .read_only()
            .closed_world(),
        Tool::new("dev_create_sale", "Creates a draft sale order (quotation) for a customer (development instance)", write::create_sale)
            .title("Create a sale order")
            .non_destructive()
            .closed_world(),
        Tool::new("dev_create_sale_line", "Adds a product line to a sale order (development instance)", write::create_sale_line)
            .title("Add a sale order line")
            .non_destructive()
            .closed_world(),
        Tool::new("dev_update_sale", "Updates allowed header fields of a sale order: partner_id, user_id, date_order, validity_date, commitment_date, payment_term_id, pricelist_id, note, origin, client_order_ref (development instance)", write::update_sale)
            .title("Update a sale order")
            .idempotent()
            .closed_world(),
        Tool::new("dev_read_sale", "Reads fields of a sale order on the development instance", record::read_sale)
            .title("Read a sale order (development)")
            .read_only()
            .closed_world(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_tool_is_here_with_its_parameters() {
        let tools = Sales::tools();
        let params = |name: &str| -> Vec<String> {
            let spec = tools.iter().find(|t| t.name() == name).unwrap().spec();
            spec.input_schema["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        let has = |name: &str, want: &[&str]| {
            let got = params(name);
            for p in want {
                assert!(got.iter().any(|g| g == p), "{name}: {p} missing in {got:?}");
            }
        };
        has(
            "list_sales",
            &["partner_id", "user_id", "state", "q", "limit"],
        );
        has("get_sale", &["sale_id", "include_lines"]);
        has(
            "dev_create_sale",
            &[
                "partner_id",
                "user_id",
                "date_order",
                "payment_term_id",
                "note",
            ],
        );
        has(
            "dev_create_sale_line",
            &[
                "order_id",
                "product_id",
                "product_uom_qty",
                "price_unit",
                "name",
            ],
        );
        has("dev_update_sale", &["sale_id", "values"]);
        has("dev_read_sale", &["sale_id", "fields"]);
        has("find_products", &["query", "limit"]);
    }
}
