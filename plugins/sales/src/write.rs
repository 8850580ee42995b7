//! `dev_create_sale`, `dev_create_sale_line` and `dev_update_sale`.
//!
//! `dev_update_sale` writes only the header fields in [`WRITABLE`], each checked for
//! its type: the seed system wrote any `values` an agent sent (state, amounts, lines),
//! which let a prompt-injected model rewrite orders.

use daniel_plugin_sdk::prelude::*;
use plugin_kit::{clock, text, validate};

#[derive(Deserialize, JsonSchema)]
pub(crate) struct CreateSaleArgs {
    /// Customer (`res.partner` id).
    partner_id: i64,
    /// Salesperson (`res.users` id); the current user when omitted.
    #[serde(default)]
    user_id: Option<i64>,
    /// Order date, `YYYY-MM-DD HH:MM:SS` (UTC); now when omitted.
    #[serde(default)]
    date_order: Option<String>,
    /// Payment terms (`account.payment.term` id).
    #[serde(default)]
    payment_term_id: Option<i64>,
    /// Terms and conditions, plain text.
    #[serde(default)]
    note: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct CreatedSale {
    /// The new order's id.
    id: i64,
    /// Its number, e.g. `S00012`.
    name: String,
    /// `sale.order`.
    model: &'static str,
    /// The values written.
    values: Map<String, Value>,
}

fn date(field: &str, value: &str) -> Result<String, ToolError> {
    let value = value.trim();
    if clock::is_odoo_datetime(value) {
        Ok(value.to_owned())
    } else {
        Err(ToolError::invalid_input(format!(
            "{field}: '{value}' is not a date (expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)"
        )))
    }
}

pub(crate) fn create_sale(ctx: &Context, args: CreateSaleArgs) -> Result<CreatedSale, ToolError> {
    let mut values = Map::new();
    values.insert(
        "partner_id".into(),
        validate::id("partner_id", args.partner_id)?.into(),
    );
    if let Some(id) = validate::opt_id("user_id", args.user_id)? {
        values.insert("user_id".into(), id.into());
    }
    if let Some(d) = validate::optional(args.date_order.as_deref()) {
        values.insert("date_order".into(), date("date_order", &d)?.into());
    }
    if let Some(id) = validate::opt_id("payment_term_id", args.payment_term_id)? {
        values.insert("payment_term_id".into(), id.into());
    }
    if let Some(note) = validate::optional(args.note.as_deref()) {
        values.insert("note".into(), text::to_html(&note).into());
    }
    let odoo = ctx.odoo();
    let id = odoo.create("sale.order", &values)?;
    let name = order_name(ctx, id)?;
    Ok(CreatedSale {
        id,
        name,
        model: "sale.order",
        values,
    })
}

fn order_name(ctx: &Context, id: i64) -> Result<String, ToolError> {
    #[derive(Deserialize)]
    struct Row {
        name: String,
    }
    let rows: Vec<Row> = ctx.odoo().read("sale.order", &[id], &["name"])?;
    Ok(rows
        .into_iter()
        .next()
        .map_or_else(|| format!("S{id}"), |r| r.name))
}

#[derive(Deserialize, JsonSchema)]
pub(crate) struct CreateLineArgs {
    /// The sale order (`sale.order` id).
    order_id: i64,
    /// The product (`product.product` id; look it up with `find_products`).
    product_id: i64,
    /// Quantity, > 0.
    #[serde(default = "one")]
    product_uom_qty: f64,
    /// Unit price; Odoo prices the line from the order's pricelist when omitted.
    #[serde(default)]
    price_unit: Option<f64>,
    /// Line description; the product's when omitted.
    #[serde(default)]
    name: Option<String>,
}

fn one() -> f64 {
    1.0
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct CreatedLine {
    /// The new line's id.
    line_id: i64,
    order_id: i64,
    /// The values written.
    values: Map<String, Value>,
    /// The unit price Odoo settled on.
    price_unit: f64,
    /// Quantity × price, before taxes.
    price_subtotal: f64,
}

pub(crate) fn create_sale_line(
    ctx: &Context,
    args: CreateLineArgs,
) -> Result<CreatedLine, ToolError> {
    let order_id = validate::id("order_id", args.order_id)?;
    let mut values = Map::new();
    values.insert("order_id".into(), order_id.into());
    values.insert(
        "product_id".into(),
        validate::id("product_id", args.product_id)?.into(),
    );
    values.insert(
        "product_uom_qty".into(),
        validate::quantity("product_uom_qty", args.product_uom_qty)?.into(),
    );
    if let Some(price) = args.price_unit {
        values.insert(
            "price_unit".into(),
            validate::price("price_unit", price)?.into(),
        );
    }
    if let Some(name) = validate::optional(args.name.as_deref()) {
        values.insert("name".into(), name.into());
    }
    let odoo = ctx.odoo();
    let line_id = odoo.create("sale.order.line", &values)?;
    #[derive(Deserialize)]
    struct Row {
        price_unit: f64,
        price_subtotal: f64,
    }
    let rows: Vec<Row> = odoo.read(
        "sale.order.line",
        &[line_id],
        &["price_unit", "price_subtotal"],
    )?;
    let row = rows.into_iter().next().unwrap_or(Row {
        price_unit: 0.0,
        price_subtotal: 0.0,
    });
    Ok(CreatedLine {
        line_id,
        order_id,
        values,
        price_unit: row.price_unit,
        price_subtotal: row.price_subtotal,
    })
}

/// The header fields `dev_update_sale` may write, and what each takes.
const WRITABLE: [(&str, Kind); 10] = [
    ("client_order_ref", Kind::Text),
    ("commitment_date", Kind::Date),
    ("date_order", Kind::Date),
    ("note", Kind::Html),
    ("origin", Kind::Text),
    ("partner_id", Kind::Id),
    ("payment_term_id", Kind::OptionalId),
    ("pricelist_id", Kind::Id),
    ("user_id", Kind::OptionalId),
    ("validity_date", Kind::Date),
];

#[derive(Clone, Copy)]
enum Kind {
    Id,
    OptionalId,
    Date,
    Text,
    Html,
}

#[derive(Deserialize, JsonSchema)]
pub(crate) struct UpdateSaleArgs {
    /// The sale order's id.
    sale_id: i64,
    /// Fields to write. Allowed: client_order_ref, commitment_date, date_order, note,
    /// origin, partner_id, payment_term_id, pricelist_id, user_id, validity_date.
    /// Lines are added with `dev_create_sale_line`; state changes are not possible here.
    values: Map<String, Value>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct UpdatedSale {
    sale_id: i64,
    /// The fields written.
    updated_fields: Vec<String>,
    /// The values written (notes as stored HTML).
    values: Map<String, Value>,
}

fn allowed() -> String {
    WRITABLE
        .iter()
        .map(|(f, _)| *f)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks one field against the allow-list and its kind; returns the value to write.
fn checked(field: &str, value: &Value) -> Result<Value, ToolError> {
    let Some((_, kind)) = WRITABLE.iter().find(|(f, _)| *f == field) else {
        return Err(ToolError::invalid_input(format!(
            "values.{field}: not writable with dev_update_sale (allowed: {})",
            allowed()
        )));
    };
    let path = format!("values.{field}");
    let bad =
        |want: &str| ToolError::invalid_input(format!("{path}: expected {want}, got {value}"));
    match (kind, value) {
        (Kind::OptionalId, Value::Bool(false)) => Ok(Value::Bool(false)),
        (Kind::Id | Kind::OptionalId, v) => {
            let id = v.as_i64().ok_or_else(|| bad("a record id"))?;
            Ok(validate::id(&path, id)?.into())
        }
        (Kind::Date, Value::String(s)) => Ok(date(&path, s)?.into()),
        (Kind::Text, Value::String(s)) => Ok(s.trim().into()),
        (Kind::Html, Value::String(s)) => Ok(text::to_html(s).into()),
        (Kind::Date, _) => Err(bad("a date string")),
        (Kind::Text | Kind::Html, _) => Err(bad("a string")),
    }
}

pub(crate) fn update_sale(ctx: &Context, args: UpdateSaleArgs) -> Result<UpdatedSale, ToolError> {
    let sale_id = validate::id("sale_id", args.sale_id)?;
    if args.values.is_empty() {
        return Err(ToolError::invalid_input(format!(
            "values: nothing to write (allowed: {})",
            allowed()
        )));
    }
    let mut values = Map::new();
    for (field, value) in &args.values {
        values.insert(field.clone(), checked(field, value)?);
    }
    ctx.odoo().write("sale.order", &[sale_id], &values)?;
    Ok(UpdatedSale {
        sale_id,
        updated_fields: values.keys().cloned().collect(),
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_fields_of_the_right_kind_pass() {
        assert_eq!(checked("user_id", &json!(7)).unwrap(), json!(7));
        assert_eq!(checked("user_id", &json!(false)).unwrap(), json!(false));
        assert_eq!(
            checked("note", &json!("a <b>")).unwrap(),
            json!("<p>a &lt;b&gt;</p>")
        );
        assert_eq!(
            checked("validity_date", &json!("2026-12-31")).unwrap(),
            json!("2026-12-31")
        );
        let msg = |f: &str, v: Value| checked(f, &v).unwrap_err().message().to_owned();
        assert!(msg("state", json!("sale")).starts_with(
            "values.state: not writable with dev_update_sale (allowed: client_order_ref,"
        ));
        assert!(msg("amount_total", json!(1)).contains("not writable"));
        assert_eq!(
            msg("partner_id", json!(false)),
            "values.partner_id: expected a record id, got false"
        );
        assert_eq!(
            msg("partner_id", json!(0)),
            "values.partner_id: must be a positive record id, got 0"
        );
        assert_eq!(
            msg("validity_date", json!("soon")),
            "values.validity_date: 'soon' is not a date (expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)"
        );
        assert_eq!(
            msg("origin", json!(3)),
            "values.origin: expected a string, got 3"
        );
    }

    #[test]
    fn empty_updates_are_refused_before_any_call() {
        let err = update_sale(
            &Context::new("dev_update_sale"),
            UpdateSaleArgs {
                sale_id: 1,
                values: Map::new(),
            },
        )
        .unwrap_err();
        assert!(err.message().starts_with("values: nothing to write"));
    }
}
