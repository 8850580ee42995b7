//! `dev_read_sale`: any readable fields of one order, made safe to hand an agent.
//!
//! The field types come from one `fields_get` so values can be shaped by type:
//! many2one as `{id, name}`, HTML as plain text, long text cut, relations as at most
//! [`MAX_IDS`] ids, and binary fields refused (the seed system read every field,
//! signatures included).

use daniel_plugin_sdk::prelude::*;
use plugin_kit::{text, validate};

#[derive(Deserialize, JsonSchema)]
pub(crate) struct ReadSaleArgs {
    /// The sale order's id.
    sale_id: i64,
    /// Field names to read; a standard set (header, amounts, lines) when omitted.
    #[serde(default)]
    fields: Option<Vec<String>>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct SaleRecord {
    /// `sale.order`.
    model: &'static str,
    /// The fields read: many2one as `{id, name}` or null, HTML as plain text.
    record: Map<String, Value>,
}

const DEFAULT_FIELDS: [&str; 18] = [
    "id",
    "name",
    "state",
    "partner_id",
    "user_id",
    "team_id",
    "date_order",
    "validity_date",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "payment_term_id",
    "pricelist_id",
    "origin",
    "client_order_ref",
    "note",
    "order_line",
    "opportunity_id",
];

/// Fields one call may ask for.
const MAX_FIELDS: usize = 60;
/// Ids listed per x2many field.
const MAX_IDS: usize = 200;

pub(crate) fn read_sale(ctx: &Context, args: ReadSaleArgs) -> Result<SaleRecord, ToolError> {
    let id = validate::id("sale_id", args.sale_id)?;
    let explicit = args.fields.is_some();
    let mut names: Vec<String> = match args.fields {
        Some(f) => f
            .into_iter()
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect(),
        None => DEFAULT_FIELDS.iter().map(|f| (*f).to_owned()).collect(),
    };
    names.sort();
    names.dedup();
    if names.is_empty() || names.len() > MAX_FIELDS {
        return Err(ToolError::invalid_input(format!(
            "fields: give 1 to {MAX_FIELDS} field names"
        )));
    }
    let types = field_types(ctx, &names, explicit)?;
    let wanted: Vec<&str> = types.iter().map(|(n, _)| n.as_str()).collect();
    let rows: Vec<Map<String, Value>> = ctx.odoo().read("sale.order", &[id], &wanted)?;
    let mut row = rows
        .into_iter()
        .next()
        .ok_or_else(|| ToolError::not_found(format!("sale.order {id} does not exist")))?;
    let record = types
        .into_iter()
        .map(|(name, ftype)| {
            let value = shape(&ftype, row.remove(&name).unwrap_or(Value::Null));
            (name, value)
        })
        .collect();
    Ok(SaleRecord {
        model: "sale.order",
        record,
    })
}

/// `(name, type)` of each field to read. Unknown names are an error when the caller
/// chose them, and skipped for the defaults (`opportunity_id` needs `sale_crm`).
fn field_types(
    ctx: &Context,
    names: &[String],
    explicit: bool,
) -> Result<Vec<(String, String)>, ToolError> {
    let meta: Map<String, Value> = ctx.odoo().call(
        "sale.order",
        "fields_get",
        json!([names]),
        json!({"attributes": ["type"]}),
    )?;
    let type_of = |n: &str| {
        meta.get(n)
            .and_then(|d| d["type"].as_str())
            .map(str::to_owned)
    };
    let unknown: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| type_of(n).is_none())
        .collect();
    if explicit && !unknown.is_empty() {
        return Err(ToolError::invalid_input(format!(
            "fields: sale.order has no field {}",
            unknown.join(", ")
        )));
    }
    let binary: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| type_of(n).as_deref() == Some("binary"))
        .collect();
    if !binary.is_empty() {
        return Err(ToolError::invalid_input(format!(
            "fields: {} binary, and dev_read_sale does not return binary data",
            binary.join(", ") + if binary.len() == 1 { " is" } else { " are" }
        )));
    }
    Ok(names
        .iter()
        .filter_map(|n| type_of(n).map(|t| (n.clone(), t)))
        .collect())
}

/// A raw Odoo value shaped for a result by its field type.
fn shape(ftype: &str, value: Value) -> Value {
    match (ftype, value) {
        ("boolean", v) => v,
        (_, Value::Bool(false)) => Value::Null,
        ("many2one", Value::Array(pair)) => match pair.as_slice() {
            [id, name] => json!({"id": id, "name": name.as_str().unwrap_or_default()}),
            _ => Value::Null,
        },
        ("one2many" | "many2many", Value::Array(ids)) => {
            Value::Array(ids.into_iter().take(MAX_IDS).collect())
        }
        ("html", Value::String(html)) => text::html_field(Some(&html))
            .0
            .map_or(Value::Null, Value::String),
        ("char" | "text", Value::String(s)) => {
            Value::String(text::truncate(&s, text::MAX_TEXT_CHARS).0)
        }
        (_, v) => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_shaped_by_type() {
        assert_eq!(
            shape("many2one", json!([7, "Ana"])),
            json!({"id": 7, "name": "Ana"})
        );
        assert_eq!(shape("many2one", json!(false)), Value::Null);
        assert_eq!(shape("boolean", json!(false)), json!(false));
        assert_eq!(shape("char", json!(false)), Value::Null);
        assert_eq!(shape("html", json!("<p>Hola</p>")), json!("Hola"));
        assert_eq!(
            shape("one2many", json!((1..300).collect::<Vec<_>>()))
                .as_array()
                .unwrap()
                .len(),
            MAX_IDS
        );
        assert_eq!(shape("float", json!(2.5)), json!(2.5));
    }
}
