//! Model-specific behaviour around create, write and unlink: the onchange-like computes,
//! constraints and guards of the Odoo modules the tools use, one module per app.
//!
//! `before_create` sees the new record's stored values with defaults applied (and the raw
//! `vals`, to tell given values from defaults); `before_write` may add values to `vals`.

mod base;
mod crm;
mod project;
mod sale;

use serde_json::{Map, Value};

use crate::fault::Fault;
use crate::registry::ModelDef;
use crate::store::{Record, Tx};

pub(crate) use crm::first_stage;

/// Fills values that depend on the rest of the new record, and checks constraints.
pub(crate) fn before_create(
    tx: &mut Tx<'_>,
    model: &'static ModelDef,
    rec: &mut Record,
    vals: &Map<String, Value>,
) -> Result<(), Fault> {
    match model.name {
        "crm.lead" => crm::before_create(tx, rec, vals),
        "sale.order" => sale::order_before_create(tx, rec),
        "sale.order.line" => sale::line_before_create(tx, rec, vals),
        "res.partner" => base::partner_before_create(rec, vals),
        "res.users" => base::user_before_create(tx, rec, vals),
        "project.task" => project::before_create(tx, rec, vals),
        "mail.message" => base::message_before_create(tx, rec),
        "product.pricelist.item" => {
            sale::item_before_create(rec, vals);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Adds dependent values to a write and checks constraints.
pub(crate) fn before_write(
    tx: &mut Tx<'_>,
    model: &'static ModelDef,
    ids: &[i64],
    vals: &mut Map<String, Value>,
) -> Result<(), Fault> {
    if let Some(parent) = model.parent_name
        && let Some(new_parent) = vals.get(parent).and_then(Value::as_i64)
    {
        check_recursion(tx, model, ids, parent, new_parent)?;
    }
    match model.name {
        "crm.lead" => crm::before_write(tx, vals),
        "sale.order" => sale::order_before_write(tx, vals),
        "sale.order.line" => sale::line_before_write(tx, ids, vals),
        "res.partner" => base::partner_before_write(tx, ids, vals),
        "res.users" => base::user_before_write(tx, ids, vals),
        "project.task" => project::before_write(tx, vals),
        _ => Ok(()),
    }
}

/// Refuses deletions Odoo refuses.
pub(crate) fn before_unlink(
    tx: &mut Tx<'_>,
    model: &'static ModelDef,
    ids: &[i64],
) -> Result<(), Fault> {
    match model.name {
        "sale.order" => sale::order_before_unlink(tx, ids),
        "sale.order.line" => sale::line_before_unlink(tx, ids),
        "res.users" => base::user_before_unlink(ids),
        _ => Ok(()),
    }
}

/// Parent cycles, refused with each model's own wording.
fn check_recursion(
    tx: &Tx<'_>,
    model: &ModelDef,
    ids: &[i64],
    parent: &str,
    new_parent: i64,
) -> Result<(), Fault> {
    if model.name == "project.task" && ids.contains(&new_parent) {
        return Err(Fault::user(
            "Sorry. You can't set a task as its parent task.",
        ));
    }
    let mut current = Some(new_parent);
    for _ in 0..64 {
        let Some(node) = current else { return Ok(()) };
        if ids.contains(&node) {
            return Err(Fault::user(match model.name {
                "res.partner" => "You cannot create recursive Partner hierarchies.",
                "product.category" => "Error ! You cannot create recursive categories.",
                "project.task" => "Error! You cannot create a recursive hierarchy of tasks.",
                _ => "Recursion Detected.",
            }));
        }
        current = tx.state().m2o(model.name, node, parent);
    }
    Ok(())
}

/// The next number of an `ir.sequence` by code, e.g. `S00001` for `sale.order`.
pub(crate) fn next_by_code(tx: &mut Tx<'_>, code: &str) -> Option<String> {
    let state = tx.state();
    let id = state
        .ids("ir.sequence")
        .into_iter()
        .find(|&s| state.str_field("ir.sequence", s, "code") == Some(code))?;
    let prefix = state
        .str_field("ir.sequence", id, "prefix")
        .unwrap_or_default()
        .to_owned();
    let padding = state.num("ir.sequence", id, "padding") as usize;
    let next = state.num("ir.sequence", id, "number_next") as i64;
    let step = (state.num("ir.sequence", id, "number_increment") as i64).max(1);
    tx.set("ir.sequence", id, "number_next", Value::from(next + step));
    Some(format!("{prefix}{next:0padding$}"))
}
