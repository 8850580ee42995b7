//! `list_sales` and `get_sale`.

use daniel_plugin_sdk::prelude::*;
use daniel_plugin_sdk::serde_json;
use plugin_kit::page::{self, Page};
use plugin_kit::{Ref, fields, text, to_ref, validate};

/// A sale order's state. `done` (≤16) is a confirmed, locked order on 17+.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum State {
    Draft,
    Sent,
    Sale,
    Done,
    Cancel,
}

#[derive(Deserialize, JsonSchema)]
pub(crate) struct ListSalesArgs {
    /// Only orders of this customer (`res.partner` id).
    #[serde(default)]
    partner_id: Option<i64>,
    /// Only orders of this salesperson (`res.users` id).
    #[serde(default)]
    user_id: Option<i64>,
    /// Only orders in this state: draft (quotation), sent, sale (confirmed), done
    /// (confirmed and locked), cancel.
    #[serde(default)]
    state: Option<State>,
    /// Part of the order number, e.g. `S00012`.
    #[serde(default)]
    q: Option<String>,
    /// Maximum number of orders (1-100).
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    50
}

const LIST_FIELDS: [&str; 7] = [
    "id",
    "name",
    "partner_id",
    "date_order",
    "amount_total",
    "state",
    "user_id",
];

#[derive(Deserialize)]
struct OrderRow {
    id: i64,
    name: String,
    #[serde(default)]
    partner_id: Many2one,
    #[serde(default, deserialize_with = "false_as_none")]
    date_order: Option<String>,
    #[serde(default)]
    amount_total: f64,
    #[serde(default, deserialize_with = "false_as_none")]
    state: Option<String>,
    #[serde(default)]
    user_id: Many2one,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct Sale {
    id: i64,
    /// Order number, e.g. `S00012`.
    name: String,
    /// Customer.
    partner_id: Option<Ref>,
    /// Order date (`YYYY-MM-DD HH:MM:SS`, UTC).
    date_order: Option<String>,
    amount_total: f64,
    /// draft, sent, sale or cancel.
    state: Option<String>,
    /// Salesperson.
    user_id: Option<Ref>,
}

impl From<OrderRow> for Sale {
    fn from(r: OrderRow) -> Self {
        Sale {
            id: r.id,
            name: r.name,
            partner_id: to_ref(&r.partner_id),
            date_order: r.date_order,
            amount_total: r.amount_total,
            state: r.state,
            user_id: to_ref(&r.user_id),
        }
    }
}

fn state_domain(ctx: &Context, state: State) -> Result<Vec<Value>, ToolError> {
    let name = match state {
        State::Draft => "draft",
        State::Sent => "sent",
        State::Sale => "sale",
        State::Cancel => "cancel",
        State::Done if ctx.odoo().has_field("sale.order", "locked")? => {
            return Ok(vec![
                json!(["state", "=", "sale"]),
                json!(["locked", "=", true]),
            ]);
        }
        State::Done => "done",
    };
    Ok(vec![json!(["state", "=", name])])
}

pub(crate) fn list_sales(ctx: &Context, args: ListSalesArgs) -> Result<Page<Sale>, ToolError> {
    let mut domain = Vec::new();
    if let Some(id) = validate::opt_id("partner_id", args.partner_id)? {
        domain.push(json!(["partner_id", "=", id]));
    }
    if let Some(id) = validate::opt_id("user_id", args.user_id)? {
        domain.push(json!(["user_id", "=", id]));
    }
    if let Some(state) = args.state {
        domain.extend(state_domain(ctx, state)?);
    }
    if let Some(q) = validate::optional(args.q.as_deref()) {
        domain.push(json!(["name", "ilike", q]));
    }
    let rows: Vec<OrderRow> = ctx.odoo().search_read(
        "sale.order",
        Value::Array(domain),
        &LIST_FIELDS,
        page::opts(args.limit).order("date_order desc, id desc"),
    )?;
    Ok(page::page(
        rows.into_iter().map(Sale::from).collect(),
        args.limit,
    ))
}

#[derive(Deserialize, JsonSchema)]
pub(crate) struct GetSaleArgs {
    /// The sale order's id.
    sale_id: i64,
    /// Include the order lines.
    #[serde(default)]
    include_lines: bool,
}

/// Lines a result lists at most; a quotation with more is read in the Odoo UI.
const MAX_LINES: usize = 100;

#[derive(Deserialize)]
struct DetailRow {
    #[serde(flatten)]
    head: OrderRow,
    #[serde(default)]
    amount_untaxed: f64,
    #[serde(default)]
    amount_tax: f64,
    #[serde(default)]
    payment_term_id: Many2one,
    #[serde(default, deserialize_with = "false_as_none")]
    validity_date: Option<String>,
    #[serde(default, deserialize_with = "false_as_none")]
    note: Option<String>,
    #[serde(default)]
    opportunity_id: Many2one,
    #[serde(default)]
    order_line: Vec<i64>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct SaleDetail {
    #[serde(flatten)]
    head: Sale,
    amount_untaxed: f64,
    amount_tax: f64,
    payment_term_id: Option<Ref>,
    /// Quotation expiry date.
    validity_date: Option<String>,
    /// Terms and conditions as plain text (cut at 2000 characters).
    note: Option<String>,
    /// The CRM opportunity the order belongs to.
    opportunity_id: Option<Ref>,
    /// The lines, when `include_lines` (at most 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    order_lines: Option<Vec<Line>>,
    /// True if the order has more lines than listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    lines_truncated: Option<bool>,
}

pub(crate) fn get_sale(ctx: &Context, args: GetSaleArgs) -> Result<SaleDetail, ToolError> {
    let id = validate::id("sale_id", args.sale_id)?;
    let mut wanted: Vec<&str> = LIST_FIELDS.to_vec();
    wanted.extend([
        "amount_untaxed",
        "amount_tax",
        "payment_term_id",
        "validity_date",
        "note",
        "order_line",
    ]);
    if ctx.odoo().has_field("sale.order", "opportunity_id")? {
        wanted.push("opportunity_id");
    }
    let rows: Vec<DetailRow> = ctx.odoo().read("sale.order", &[id], &wanted)?;
    let row = rows
        .into_iter()
        .next()
        .ok_or_else(|| ToolError::not_found(format!("sale.order {id} does not exist")))?;
    let (lines, truncated) = if args.include_lines {
        let cut = row.order_line.len() > MAX_LINES;
        let ids: Vec<i64> = row.order_line.iter().copied().take(MAX_LINES).collect();
        (Some(read_lines(ctx, &ids)?), Some(cut))
    } else {
        (None, None)
    };
    Ok(SaleDetail {
        amount_untaxed: row.amount_untaxed,
        amount_tax: row.amount_tax,
        payment_term_id: to_ref(&row.payment_term_id),
        validity_date: row.validity_date,
        note: text::html_field(row.note.as_deref()).0,
        opportunity_id: to_ref(&row.opportunity_id),
        order_lines: lines,
        lines_truncated: truncated,
        head: row.head.into(),
    })
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct Line {
    id: i64,
    product_id: Option<Ref>,
    /// The line's description (cut at 300 characters).
    name: String,
    product_uom_qty: f64,
    /// Unit of measure.
    uom: Option<Ref>,
    price_unit: f64,
    /// Discount in percent.
    discount: f64,
    price_subtotal: f64,
    /// `account.tax` ids.
    tax_ids: Vec<i64>,
}

/// The lines `ids`, with unit and taxes under whichever names this Odoo uses.
pub(crate) fn read_lines(ctx: &Context, ids: &[i64]) -> Result<Vec<Line>, ToolError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (uom, taxes) = (fields::line_uom(ctx)?, fields::line_taxes(ctx)?);
    let wanted = [
        "id",
        "product_id",
        "name",
        "product_uom_qty",
        "price_unit",
        "discount",
        "price_subtotal",
        uom,
        taxes,
    ];
    let rows: Vec<Map<String, Value>> = ctx.odoo().read("sale.order.line", ids, &wanted)?;
    rows.into_iter().map(|row| line(row, uom, taxes)).collect()
}

fn line(mut row: Map<String, Value>, uom: &str, taxes: &str) -> Result<Line, ToolError> {
    let mut take = |k: &str| row.remove(k).unwrap_or(Value::Null);
    let m2o =
        |v: Value| -> Result<Option<Ref>, ToolError> { Ok(to_ref(&serde_json::from_value(v)?)) };
    let num = |v: Value| v.as_f64().unwrap_or(0.0);
    let name = take("name")
        .as_str()
        .map(|s| text::truncate(s, 300).0)
        .unwrap_or_default();
    Ok(Line {
        id: take("id").as_i64().unwrap_or_default(),
        product_id: m2o(take("product_id"))?,
        name,
        product_uom_qty: num(take("product_uom_qty")),
        uom: m2o(take(uom))?,
        price_unit: num(take("price_unit")),
        discount: num(take("discount")),
        price_subtotal: num(take("price_subtotal")),
        tax_ids: serde_json::from_value(take(taxes)).unwrap_or_default(),
    })
}
