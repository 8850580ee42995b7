//! Field names that differ between Odoo versions, picked from the instance's own field
//! list (cached by the host for a few minutes, so asking costs one `fields_get` per
//! model now and then) or, for core fields on hot paths, from its version.
//!
//! | what | ≤18 | 19 |
//! |---|---|---|
//! | task assignees | `user_ids` (16+; `user_id` before) | `user_ids` |
//! | user and partner mobile | `mobile` | removed |
//! | order line unit / taxes | `product_uom`, `tax_id` | `product_uom_id`, `tax_ids` |

use daniel_plugin_sdk::{Context, ToolError};

/// The first of `candidates` that `model` has, else the last one.
fn first_present(
    ctx: &Context,
    model: &str,
    candidates: &[&'static str],
) -> Result<&'static str, ToolError> {
    let names = ctx.odoo().field_names(model)?;
    Ok(candidates
        .iter()
        .find(|c| names.iter().any(|n| n == *c))
        .or(candidates.last())
        .copied()
        .unwrap_or_default())
}

/// The assignee field of `project.task`: `user_ids` (many2many) or, before Odoo 16,
/// `user_id` (many2one).
///
/// # Errors
///
/// The host could not list the fields.
pub fn task_assignees(ctx: &Context) -> Result<&'static str, ToolError> {
    first_present(ctx, "project.task", &["user_ids", "user_id"])
}

/// The unit-of-measure field of `sale.order.line`.
///
/// # Errors
///
/// The host could not list the fields.
pub fn line_uom(ctx: &Context) -> Result<&'static str, ToolError> {
    first_present(ctx, "sale.order.line", &["product_uom_id", "product_uom"])
}

/// The taxes field of `sale.order.line`.
///
/// # Errors
///
/// The host could not list the fields.
pub fn line_taxes(ctx: &Context) -> Result<&'static str, ToolError> {
    first_present(ctx, "sale.order.line", &["tax_ids", "tax_id"])
}

/// The phone fields of `res.users`, `res.partner` or `crm.lead`: `phone`, and `mobile`
/// up to Odoo 18 (19 removed it from all three).
///
/// Decided by the server version, which the host fetches once per instance, rather
/// than by the field list, which it re-reads every few minutes: this sits on the
/// quotation path, where every round trip counts.
///
/// # Errors
///
/// The host could not get the version.
pub fn phones(ctx: &Context) -> Result<Vec<&'static str>, ToolError> {
    let mut fields = vec!["phone"];
    if ctx.odoo().version()?.major < 19 {
        fields.push("mobile");
    }
    Ok(fields)
}
