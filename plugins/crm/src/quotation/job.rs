//! The `quotation` job: customer, salesperson, opportunity, quotation, hand-off.
//!
//! Odoo round trips for a new customer with two lines and an automatic salesperson:
//! products (1) and their pricelist rules (1), customer lookup (1) and creation (1),
//! team (1), members (1) and their load (1), opportunity (1), order with its lines (1),
//! order totals (1): ten. An existing customer saves one; a chosen salesperson saves
//! two. No field list is fetched: `mobile` is decided by the server version (fetched once
//! per host) and the main-product field is written optimistically. Products are priced
//! first, so an unknown product fails the job before anything is written.

use daniel_plugin_sdk::prelude::*;
use plugin_kit::messages::{Sent, Template, Values, money};
use plugin_kit::pricing::{self, LineRequest, PricedLine};
use plugin_kit::salesperson::{self, Pipeline, Salesperson};
use plugin_kit::{clock, text};

use super::input::QuotationInput;
use crate::settings::Settings;

#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct QuotationResult {
    /// The quotation (`sale.order` id).
    sale_order_id: i64,
    /// Its number, e.g. `S00005`: tell the customer this one.
    sale_order_name: String,
    amount_untaxed: f64,
    amount_total: f64,
    /// The customer (`res.partner` id).
    partner_id: i64,
    partner_name: String,
    /// True if a customer with the same email already existed and was reused.
    partner_reused: bool,
    /// The opportunity (`crm.lead` id).
    lead_id: i64,
    lead_name: String,
    /// Who handles it; null if the sales team has no active member.
    salesperson: Option<Salesperson>,
    /// `manual` (user_id given) or `least_loaded`.
    assignment: &'static str,
    /// The lines as priced.
    lines: Vec<PricedLine>,
    /// The hand-off message to the salesperson.
    notification: Notification,
}

#[derive(Debug, Serialize, JsonSchema)]
struct Notification {
    /// True if the message was handed to the provider.
    sent: bool,
    /// The sent message, when `sent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Sent>,
    /// Why it was not sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Deserialize)]
struct PartnerRow {
    id: i64,
    #[serde(default, deserialize_with = "false_as_none")]
    name: Option<String>,
}

/// Who the opportunity and quotation belong to.
struct Owner {
    salesperson: Option<Salesperson>,
    /// Set when the salesperson came from the sales team.
    team: Option<i64>,
    assignment: &'static str,
}

#[derive(Deserialize)]
struct OrderRow {
    name: String,
    #[serde(default)]
    amount_untaxed: f64,
    #[serde(default)]
    amount_total: f64,
}

/// Runs the job; a failure is reported to `messages.error_recipient` when set.
pub(crate) fn run_quotation(
    ctx: &Context,
    input: QuotationInput,
) -> Result<QuotationResult, ToolError> {
    let settings: Settings = ctx.settings()?;
    flow(ctx, &settings, &input).inspect_err(|err| report_failure(ctx, &settings, &input, err))
}

fn flow(ctx: &Context, s: &Settings, input: &QuotationInput) -> Result<QuotationResult, ToolError> {
    let jobs = ctx.jobs();
    jobs.progress("Verificando productos y precios...");
    let requests: Vec<LineRequest> = input.lines.iter().map(|&l| l.into()).collect();
    let lines = pricing::price_lines(ctx, s.pricelist_id, &requests)?;
    jobs.progress("Verificando partner...");
    let (partner, reused) = partner(ctx, input)?;
    let partner_name = partner
        .name
        .clone()
        .unwrap_or_else(|| input.contact_name.clone());
    jobs.progress(&format!(
        "Partner verificado: {partner_name} (ID {})",
        partner.id
    ));
    jobs.progress("Asignando vendedor...");
    let owner = assign(ctx, s, input)?;
    jobs.progress(&match &owner.salesperson {
        Some(sp) => format!("Vendedor asignado: {} (ID {})", sp.name, sp.id),
        None => "Sin vendedor asignado".to_owned(),
    });
    jobs.progress("Creando oportunidad...");
    let lead_id = create_opportunity(ctx, s, input, partner.id, &owner)?;
    jobs.progress(&format!("Oportunidad creada (ID {lead_id})"));
    jobs.progress("Creando cotización...");
    let (order_id, order) = create_order(ctx, s, input, (partner.id, lead_id), &owner, &lines)?;
    jobs.progress(&format!("Cotización creada: {}", order.name));
    let notification = notify(
        ctx,
        s,
        input,
        owner.salesperson.as_ref(),
        &order,
        &lines,
        &partner_name,
    );
    jobs.progress(if notification.sent {
        "Vendedor notificado"
    } else {
        "Cotización lista (vendedor no notificado)"
    });
    Ok(QuotationResult {
        sale_order_id: order_id,
        sale_order_name: order.name,
        amount_untaxed: order.amount_untaxed,
        amount_total: order.amount_total,
        partner_id: partner.id,
        partner_name,
        partner_reused: reused,
        lead_id,
        lead_name: input.lead_name.clone(),
        salesperson: owner.salesperson,
        assignment: owner.assignment,
        lines,
        notification,
    })
}

/// The customer with this email (oldest first), else a new one. A fallback address
/// (invalid email) is never matched: that merged unrelated customers in the seed.
fn partner(ctx: &Context, input: &QuotationInput) -> Result<(PartnerRow, bool), ToolError> {
    let odoo = ctx.odoo();
    if input.email_valid {
        let found: Vec<PartnerRow> = odoo.search_read(
            "res.partner",
            json!([["email", "=ilike", input.email]]),
            &["id", "name"],
            SearchOpts::limit(1).order("id"),
        )?;
        if let Some(p) = found.into_iter().next() {
            return Ok((p, true));
        }
    }
    let mut values = json!({
        "name": input.contact_name, "email": input.email, "phone": input.phone,
        "is_company": false, "type": "contact",
    });
    if let Some(city) = &input.city {
        values["city"] = json!(city);
    }
    let id = odoo.create("res.partner", values)?;
    Ok((
        PartnerRow {
            id,
            name: Some(input.contact_name.clone()),
        },
        false,
    ))
}

fn assign(ctx: &Context, s: &Settings, input: &QuotationInput) -> Result<Owner, ToolError> {
    if let Some(id) = input.user_id {
        let Some(sp) = salesperson::by_id(ctx, id, &s.phone_country_code)? else {
            return Err(ToolError::invalid_input(format!(
                "user_id: no active user with id {id}"
            )));
        };
        return Ok(Owner {
            salesperson: Some(sp),
            team: None,
            assignment: "manual",
        });
    }
    let pipeline = Pipeline {
        team_id: s.sales_team_id,
        stage_ids: &s.pipeline_stage_ids,
        country_code: &s.phone_country_code,
    };
    let salesperson = salesperson::least_loaded(ctx, pipeline)?;
    let team = salesperson.is_some().then_some(s.sales_team_id);
    Ok(Owner {
        salesperson,
        team,
        assignment: "least_loaded",
    })
}

/// Sets the salesperson and team on new records' values.
fn set_owner(values: &mut Value, owner: &Owner) {
    if let Some(sp) = &owner.salesperson {
        values["user_id"] = json!(sp.id);
    }
    if let Some(team) = owner.team {
        values["team_id"] = json!(team);
    }
}

fn create_opportunity(
    ctx: &Context,
    s: &Settings,
    input: &QuotationInput,
    partner_id: i64,
    owner: &Owner,
) -> Result<i64, ToolError> {
    // Created already converted (type, stage and conversion date, in UTC): the same
    // record a create followed by a conversion write gives, in one round trip.
    let mut values = json!({
        "name": input.lead_name, "type": "opportunity", "partner_id": partner_id,
        "partner_name": input.partner_name, "contact_name": input.contact_name,
        "email_from": input.email, "phone": input.phone,
        "stage_id": s.conversion_stage_id, "date_conversion": clock::now_utc(),
    });
    set_owner(&mut values, owner);
    if let Some(city) = &input.city {
        values["city"] = json!(city);
    }
    if let Some(d) = &input.description {
        values["description"] = json!(text::to_html(d));
    }
    let odoo = ctx.odoo();
    let field = s.main_product_field.as_str();
    let (Some(product), false) = (input.main_product, field.is_empty()) else {
        return Ok(odoo.create("crm.lead", values)?);
    };
    // The main product is an Odoo Studio field some instances lack. Asking for the field
    // list first would cost a round trip on most quotations (the host caches it only a
    // few minutes); instead write it, and only if Odoo rejects that field write again
    // without it.
    let mut with_product = values.clone();
    with_product[field] = json!(product);
    match odoo.create("crm.lead", with_product) {
        Err(err) if err.to_string().contains(field) => {
            daniel_plugin_sdk::warn!(
                "crm.lead has no field {field:?} (settings.main_product_field); the opportunity is created without it: {err}"
            );
            Ok(odoo.create("crm.lead", values)?)
        }
        other => Ok(other?),
    }
}

/// The quotation with its lines in one `create` (x2many `(0, 0, values)` commands), on
/// the configured pricelist so the order's pricelist and its prices agree.
fn create_order(
    ctx: &Context,
    s: &Settings,
    input: &QuotationInput,
    (partner_id, lead_id): (i64, i64),
    owner: &Owner,
    lines: &[PricedLine],
) -> Result<(i64, OrderRow), ToolError> {
    let commands: Vec<Value> = lines
        .iter()
        .map(|l| json!([0, 0, {"product_id": l.product_id, "product_uom_qty": l.qty, "price_unit": l.price_unit}]))
        .collect();
    let mut values = json!({
        "partner_id": partner_id, "opportunity_id": lead_id, "origin": input.lead_name,
        "note": text::to_html(&format!("Cotización desde oportunidad: {}", input.lead_name)),
        "pricelist_id": s.pricelist_id, "order_line": commands,
    });
    set_owner(&mut values, owner);
    let odoo = ctx.odoo();
    let id = odoo.create("sale.order", values)?;
    let rows: Vec<OrderRow> = odoo.read(
        "sale.order",
        &[id],
        &["name", "amount_untaxed", "amount_total"],
    )?;
    let order = rows
        .into_iter()
        .next()
        .ok_or_else(|| ToolError::internal(format!("sale.order {id} vanished after create")))?;
    Ok((id, order))
}

fn notify(
    ctx: &Context,
    s: &Settings,
    input: &QuotationInput,
    salesperson: Option<&Salesperson>,
    order: &OrderRow,
    lines: &[PricedLine],
    partner_name: &str,
) -> Notification {
    if !s.notify_salesperson {
        return Notification {
            sent: false,
            message: None,
            error: Some("disabled by settings (notify_salesperson = false)".into()),
        };
    }
    let products: Vec<String> = lines
        .iter()
        .map(|l| format!("{} (x{})", l.product_name, l.qty))
        .collect();
    let values: Values = [
        ("order_name", Some(order.name.clone())),
        ("customer_name", Some(partner_name.to_owned())),
        ("company", Some(input.partner_name.clone())),
        ("customer_phone", Some(input.phone.clone())),
        ("email", Some(input.email_given.clone())),
        ("city", input.city.clone()),
        ("products", Some(products.join(", "))),
        ("amount_total", Some(money(order.amount_total))),
        ("context", input.description.clone()),
        (
            "salesperson",
            salesperson.map(|sp| format!("{} (ID {})", sp.name, sp.id)),
        ),
    ]
    .into_iter()
    .collect();
    let body = s.messages.render(Template::Quotation, &values);
    match s
        .messages
        .send_to_salesperson(ctx, salesperson, &s.phone_country_code, &body)
    {
        Ok(sent) => Notification {
            sent: true,
            message: Some(sent),
            error: None,
        },
        Err(err) => Notification {
            sent: false,
            message: None,
            error: Some(err.to_string()),
        },
    }
}

/// Tells `messages.error_recipient` (if set) that a quotation failed; best effort.
fn report_failure(ctx: &Context, s: &Settings, input: &QuotationInput, err: &ToolError) {
    let Some(to) = s
        .messages
        .error_recipient
        .as_deref()
        .and_then(|n| plugin_kit::validate::e164(n, &s.phone_country_code))
    else {
        return;
    };
    let values: Values = [
        ("tracking_id", ctx.jobs().current()),
        ("lead_name", Some(input.lead_name.clone())),
        ("customer_name", Some(input.contact_name.clone())),
        ("company", Some(input.partner_name.clone())),
        ("customer_phone", Some(input.phone.clone())),
        ("email", Some(input.email_given.clone())),
        ("error", Some(text::truncate(&err.to_string(), 300).0)),
    ]
    .into_iter()
    .collect();
    let body = s.messages.render(Template::QuotationFailed, &values);
    if let Err(e) = ctx.messaging().send(s.messages.channel, &to, &body) {
        daniel_plugin_sdk::warn!("quotation failure report not sent: {e}");
    }
}
