//! Reads everything a [`Plan`] needs, then writes it step by step.

use daniel_plugin_sdk::OdooError;
use daniel_plugin_sdk::prelude::*;
use plugin_kit::pricing::{self, LineRequest, PricedLine};
use plugin_kit::{clock, text};

use super::{LeadUpdate, Outcome, Plan};
use crate::settings::Settings;

#[derive(Deserialize)]
struct LeadRow {
    id: i64,
    name: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Debug, Clone, Deserialize)]
struct OrderRow {
    id: i64,
    name: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    order_line: Vec<i64>,
}

const ORDER_FIELDS: [&str; 4] = ["id", "name", "state", "order_line"];

/// What the plan needs, read before the first write.
struct Prepared {
    lead: LeadRow,
    /// The lead becomes an opportunity in this call.
    convert: bool,
    /// The quotation to link.
    linked: Option<OrderRow>,
    /// The linked quotation, else the opportunity's latest draft or sent one.
    order: Option<OrderRow>,
    /// The quotation whose lines change, and the new lines.
    priced: Option<(OrderRow, Vec<PricedLine>)>,
}

pub(super) fn run(ctx: &Context, s: &Settings, plan: Plan) -> Result<LeadUpdate, ToolError> {
    let p = prepare(ctx, s, &plan)?;
    let mut out = LeadUpdate {
        lead_id: p.lead.id,
        lead_name: p.lead.name.clone(),
        lead_type: if p.lead.kind == "opportunity" || p.convert {
            "opportunity"
        } else {
            "lead"
        }
        .into(),
        sale_order_id: p.order.as_ref().map(|o| o.id),
        sale_order_name: p.order.as_ref().map(|o| o.name.clone()),
        ..LeadUpdate::default()
    };
    update_lead(ctx, s, &plan, &p, &mut out)?;
    post_note(ctx, &plan, &p, &mut out)?;
    set_outcome(ctx, &plan, &p, &mut out)?;
    relink(ctx, &plan, &p, &mut out)?;
    set_products(ctx, &plan, p.priced, &mut out)?;
    Ok(out)
}

fn prepare(ctx: &Context, s: &Settings, plan: &Plan) -> Result<Prepared, ToolError> {
    let lead = read_lead(ctx, plan.lead_id)?;
    let opportunity = lead.kind == "opportunity";
    let convert = !opportunity && (plan.convert || plan.link.is_some());
    if plan.outcome.is_some() && !opportunity && !convert {
        return Err(ToolError::invalid_input(format!(
            "mark_as_won/mark_as_lost: {} is a lead, not an opportunity; add convert_to_opportunity=true to convert it first",
            lead.id
        )));
    }
    if let Some(Outcome::Lost(Some(reason))) = plan.outcome {
        check_lost_reason(ctx, reason)?;
    }
    let linked = plan.link.map(|id| read_order(ctx, id)).transpose()?;
    let order = match &linked {
        Some(o) => Some(o.clone()),
        None => current_quotation(ctx, lead.id)?,
    };
    let priced = match &plan.lines {
        Some(lines) => {
            let target = editable(order.as_ref(), lead.id)?;
            let requests: Vec<LineRequest> = lines.iter().map(|&l| l.into()).collect();
            Some((
                target,
                pricing::price_lines(ctx, s.pricelist_id, &requests)?,
            ))
        }
        None => None,
    };
    Ok(Prepared {
        lead,
        convert,
        linked,
        order,
        priced,
    })
}

fn update_lead(
    ctx: &Context,
    s: &Settings,
    plan: &Plan,
    p: &Prepared,
    out: &mut LeadUpdate,
) -> Result<(), ToolError> {
    let mut values = Map::new();
    if let Some(d) = &plan.description {
        let html = if d.is_empty() {
            Value::Bool(false)
        } else {
            text::to_html(d).into()
        };
        values.insert("description".into(), html);
    }
    if p.convert {
        values.insert("type".into(), "opportunity".into());
        values.insert("date_conversion".into(), clock::now_utc().into());
        values.insert("stage_id".into(), s.conversion_stage_id.into());
    }
    if values.is_empty() {
        return Ok(());
    }
    step(
        out,
        "update the lead",
        ctx.odoo().write("crm.lead", &[p.lead.id], &values),
    )?;
    out.lead_updated = true;
    out.converted = p.convert;
    if plan.description.is_some() {
        out.steps
            .push(format!("Description updated for lead {}", p.lead.id));
    }
    if p.convert {
        out.steps.push(format!(
            "Lead {} converted to an opportunity (stage {})",
            p.lead.id, s.conversion_stage_id
        ));
    }
    Ok(())
}

fn post_note(
    ctx: &Context,
    plan: &Plan,
    p: &Prepared,
    out: &mut LeadUpdate,
) -> Result<(), ToolError> {
    let Some(message) = &plan.message else {
        return Ok(());
    };
    let kwargs = json!({"body": text::to_html(message), "body_is_html": true,
                        "message_type": "comment", "subtype_xmlid": "mail.mt_note"});
    let posted = step(
        out,
        "post the note",
        ctx.odoo()
            .execute_kw("crm.lead", "message_post", json!([[p.lead.id]]), kwargs),
    )?;
    // An int up to Odoo 18, `[id]` on 19.
    out.message_id = posted
        .as_i64()
        .or_else(|| posted.get(0).and_then(Value::as_i64));
    out.message_posted = true;
    out.steps
        .push(format!("Note posted on opportunity {}", p.lead.id));
    Ok(())
}

fn set_outcome(
    ctx: &Context,
    plan: &Plan,
    p: &Prepared,
    out: &mut LeadUpdate,
) -> Result<(), ToolError> {
    let odoo = ctx.odoo();
    let id = p.lead.id;
    match plan.outcome {
        Some(Outcome::Won) => {
            step(
                out,
                "mark as won",
                odoo.execute_kw("crm.lead", "action_set_won", json!([[id]]), json!({})),
            )?;
            out.marked_won = true;
            out.steps.push(format!("Opportunity {id} marked as won"));
        }
        Some(Outcome::Lost(reason)) => {
            // `action_set_lost` answers None, which XML-RPC cannot carry; archiving with
            // the reason is its RPC-safe equivalent.
            let mut lost = json!({"active": false, "probability": 0});
            if let Some(r) = reason {
                lost["lost_reason_id"] = json!(r);
            }
            step(out, "mark as lost", odoo.write("crm.lead", &[id], lost))?;
            out.marked_lost = true;
            let reason = reason.map_or_else(|| "none".to_owned(), |r| r.to_string());
            out.steps
                .push(format!("Opportunity {id} marked as lost (reason {reason})"));
        }
        None => {}
    }
    Ok(())
}

fn relink(ctx: &Context, plan: &Plan, p: &Prepared, out: &mut LeadUpdate) -> Result<(), ToolError> {
    let Some(link) = &p.linked else {
        return Ok(());
    };
    let odoo = ctx.odoo();
    let lead = p.lead.id;
    if plan.unlink_others {
        let domain = json!([["opportunity_id", "=", lead], ["id", "!=", link.id]]);
        let others = step(
            out,
            "find other quotations",
            odoo.search("sale.order", domain, SearchOpts::default()),
        )?;
        if !others.is_empty() {
            step(
                out,
                "unlink other quotations",
                odoo.write("sale.order", &others, json!({"opportunity_id": false})),
            )?;
            out.steps.push(format!(
                "Quotations {others:?} unlinked from opportunity {lead}"
            ));
        }
        out.unlinked_quotation_ids = others;
    }
    step(
        out,
        "link the quotation",
        odoo.write("sale.order", &[link.id], json!({"opportunity_id": lead})),
    )?;
    out.steps.push(format!(
        "Quotation {} ({}) linked to opportunity {lead}",
        link.name, link.id
    ));
    Ok(())
}

fn set_products(
    ctx: &Context,
    plan: &Plan,
    priced: Option<(OrderRow, Vec<PricedLine>)>,
    out: &mut LeadUpdate,
) -> Result<(), ToolError> {
    let Some((order, lines)) = priced else {
        return Ok(());
    };
    let mut commands: Vec<Value> = Vec::new();
    if plan.replace {
        commands.extend(order.order_line.iter().map(|id| json!([2, id])));
    }
    commands.extend(lines.iter().map(|l| {
        json!([0, 0, {"product_id": l.product_id, "product_uom_qty": l.qty, "price_unit": l.price_unit}])
    }));
    let values = json!({"order_line": commands});
    step(
        out,
        "update the quotation's products",
        ctx.odoo().write("sale.order", &[order.id], values),
    )?;
    out.products_updated = true;
    let verb = if plan.replace {
        "Replaced the lines with"
    } else {
        "Added"
    };
    out.steps.push(format!(
        "{verb} {} line(s) on quotation {}",
        lines.len(),
        order.name
    ));
    out.lines = lines;
    Ok(())
}

/// An Odoo failure at step `what`, naming the steps already applied.
fn step<T>(out: &LeadUpdate, what: &str, result: Result<T, OdooError>) -> Result<T, ToolError> {
    result.map_err(|err| {
        let err = ToolError::from(err);
        let message = if out.steps.is_empty() {
            format!("{what}: {}", err.message())
        } else {
            format!(
                "{what} failed after these steps were applied ({}): {}",
                out.steps.join("; "),
                err.message()
            )
        };
        match err {
            ToolError::InvalidInput(_) => ToolError::InvalidInput(message),
            ToolError::NotFound(_) => ToolError::NotFound(message),
            ToolError::Denied(_) => ToolError::Denied(message),
            ToolError::Upstream(_) => ToolError::Upstream(message),
            ToolError::Internal(_) => ToolError::Internal(message),
        }
    })
}

fn read_lead(ctx: &Context, id: i64) -> Result<LeadRow, ToolError> {
    let rows: Vec<LeadRow> = ctx
        .odoo()
        .read("crm.lead", &[id], &["id", "name", "type"])?;
    rows.into_iter()
        .next()
        .ok_or_else(|| ToolError::not_found(format!("lead_id: crm.lead {id} does not exist")))
}

fn check_lost_reason(ctx: &Context, id: i64) -> Result<(), ToolError> {
    let rows: Vec<Value> = ctx.odoo().read("crm.lost.reason", &[id], &["id"])?;
    if rows.is_empty() {
        return Err(ToolError::not_found(format!(
            "lost_reason_id: crm.lost.reason {id} does not exist"
        )));
    }
    Ok(())
}

fn read_order(ctx: &Context, id: i64) -> Result<OrderRow, ToolError> {
    let rows: Vec<OrderRow> = ctx.odoo().read("sale.order", &[id], &ORDER_FIELDS)?;
    rows.into_iter().next().ok_or_else(|| {
        ToolError::not_found(format!("link_quotation_id: sale.order {id} does not exist"))
    })
}

/// The opportunity's latest draft or sent quotation.
fn current_quotation(ctx: &Context, lead_id: i64) -> Result<Option<OrderRow>, ToolError> {
    let domain = json!([
        ["opportunity_id", "=", lead_id],
        ["state", "in", ["draft", "sent"]]
    ]);
    let rows: Vec<OrderRow> = ctx.odoo().search_read(
        "sale.order",
        domain,
        &ORDER_FIELDS,
        SearchOpts::limit(1).order("id desc"),
    )?;
    Ok(rows.into_iter().next())
}

/// The quotation whose products may change: it must exist and not be confirmed.
fn editable(order: Option<&OrderRow>, lead_id: i64) -> Result<OrderRow, ToolError> {
    let Some(order) = order else {
        return Err(ToolError::not_found(format!(
            "products: opportunity {lead_id} has no draft or sent quotation; pass link_quotation_id or create one with dev_create_quotation"
        )));
    };
    if !matches!(order.state.as_str(), "draft" | "sent") {
        return Err(ToolError::invalid_input(format!(
            "products: quotation {} is {}; only draft or sent quotations can change their products",
            order.name, order.state
        )));
    }
    Ok(order.clone())
}
