//! `dev_update_lead_quotation`: one call to move an opportunity along.
//!
//! Compared with the seed system: every argument is checked and every record read
//! before the first write, so a mistake leaves nothing half-done; a failing step is an
//! error naming the steps already applied (the seed reported `success: true` with the
//! failure buried in `logs`); conversion also sets the configured stage; unlinking
//! other quotations unlinks all of them; products are priced like new quotations
//! (pricelist, else list price) and replaced in one write; an empty `description`
//! clears it.

mod apply;

use daniel_plugin_sdk::prelude::*;
use plugin_kit::pricing::PricedLine;
use plugin_kit::validate;

use crate::quotation::input::{Line, ProductArg, product_lines};
use crate::settings::Settings;

#[derive(Deserialize, JsonSchema)]
pub(crate) struct UpdateLeadArgs {
    /// The opportunity (`crm.lead` id).
    lead_id: i64,
    /// New description (plain text); an empty string clears it.
    #[serde(default)]
    description: Option<String>,
    /// An internal note to post on the opportunity.
    #[serde(default)]
    message: Option<String>,
    /// Mark the opportunity as won.
    #[serde(default)]
    mark_as_won: bool,
    /// Mark the opportunity as lost (archives it).
    #[serde(default)]
    mark_as_lost: bool,
    /// Why it was lost (`crm.lost.reason` id); only with `mark_as_lost`.
    #[serde(default)]
    lost_reason_id: Option<i64>,
    /// Link this quotation (`sale.order` id) to the opportunity.
    #[serde(default)]
    link_quotation_id: Option<i64>,
    /// With `link_quotation_id`: detach every other quotation from the opportunity.
    #[serde(default)]
    unlink_other_quotations: bool,
    /// Products for the opportunity's quotation (the linked one, else its latest draft
    /// or sent one): `[{product_id, qty, price}]`.
    #[serde(default)]
    products: Option<Vec<ProductArg>>,
    /// With `products`: replace the quotation's lines (true) or add to them (false).
    #[serde(default = "yes")]
    replace_products: bool,
    /// Convert a lead into an opportunity (linking a quotation converts too).
    #[serde(default)]
    convert_to_opportunity: bool,
}

fn yes() -> bool {
    true
}

/// Won or lost.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    Won,
    Lost(Option<i64>),
}

/// The validated request.
#[derive(Debug)]
struct Plan {
    lead_id: i64,
    /// `Some("")` clears the description.
    description: Option<String>,
    message: Option<String>,
    outcome: Option<Outcome>,
    link: Option<i64>,
    unlink_others: bool,
    lines: Option<Vec<Line>>,
    replace: bool,
    convert: bool,
}

impl UpdateLeadArgs {
    fn plan(self) -> Result<Plan, ToolError> {
        let lead_id = validate::id("lead_id", self.lead_id)?;
        let outcome = match (self.mark_as_won, self.mark_as_lost) {
            (true, true) => {
                return Err(ToolError::invalid_input(
                    "mark_as_won, mark_as_lost: choose one, not both",
                ));
            }
            (true, false) => Some(Outcome::Won),
            (false, true) => Some(Outcome::Lost(validate::opt_id(
                "lost_reason_id",
                self.lost_reason_id,
            )?)),
            (false, false) => None,
        };
        if self.lost_reason_id.is_some() && !self.mark_as_lost {
            return Err(ToolError::invalid_input(
                "lost_reason_id: only used with mark_as_lost=true",
            ));
        }
        let link = validate::opt_id("link_quotation_id", self.link_quotation_id)?;
        if self.unlink_other_quotations && link.is_none() {
            return Err(ToolError::invalid_input(
                "unlink_other_quotations: needs link_quotation_id (the quotation to keep)",
            ));
        }
        let lines = match self.products.as_deref() {
            Some(products) if !products.is_empty() => Some(product_lines(products)?),
            _ => None,
        };
        let plan = Plan {
            lead_id,
            description: self.description.map(|d| d.trim().to_owned()),
            message: validate::optional(self.message.as_deref()),
            outcome,
            link,
            unlink_others: self.unlink_other_quotations,
            lines,
            replace: self.replace_products,
            convert: self.convert_to_opportunity,
        };
        if plan.description.is_none()
            && plan.message.is_none()
            && plan.outcome.is_none()
            && plan.link.is_none()
            && plan.lines.is_none()
            && !plan.convert
        {
            return Err(ToolError::invalid_input(
                "nothing to update: give description, message, mark_as_won, mark_as_lost, link_quotation_id, products or convert_to_opportunity",
            ));
        }
        Ok(plan)
    }
}

#[derive(Debug, Default, Serialize, JsonSchema)]
pub(crate) struct LeadUpdate {
    lead_id: i64,
    lead_name: String,
    /// `lead` or `opportunity`, after the update.
    lead_type: String,
    /// True if description or type changed.
    lead_updated: bool,
    /// True if the lead was converted into an opportunity.
    converted: bool,
    message_posted: bool,
    /// The posted note's `mail.message` id.
    message_id: Option<i64>,
    marked_won: bool,
    marked_lost: bool,
    /// The opportunity's quotation (linked, or its latest draft/sent one), if any.
    sale_order_id: Option<i64>,
    sale_order_name: Option<String>,
    /// Quotations detached from the opportunity.
    unlinked_quotation_ids: Vec<i64>,
    /// True if the quotation's products changed.
    products_updated: bool,
    /// The lines added, as priced.
    lines: Vec<PricedLine>,
    /// What was done, in order.
    steps: Vec<String>,
}

pub(crate) fn update_lead(ctx: &Context, args: UpdateLeadArgs) -> Result<LeadUpdate, ToolError> {
    let plan = args.plan()?;
    let settings: Settings = ctx.settings()?;
    apply::run(ctx, &settings, plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(args: Value) -> Result<Plan, ToolError> {
        daniel_plugin_sdk::serde_json::from_value::<UpdateLeadArgs>(args)
            .unwrap()
            .plan()
    }

    fn error(args: Value) -> String {
        plan(args).unwrap_err().message().to_owned()
    }

    #[test]
    fn contradictions_and_empty_calls_are_refused() {
        assert_eq!(
            error(json!({"lead_id": 1, "mark_as_won": true, "mark_as_lost": true})),
            "mark_as_won, mark_as_lost: choose one, not both"
        );
        assert_eq!(
            error(json!({"lead_id": 1, "lost_reason_id": 4})),
            "lost_reason_id: only used with mark_as_lost=true"
        );
        assert!(
            error(json!({"lead_id": 1, "unlink_other_quotations": true}))
                .starts_with("unlink_other_quotations: needs")
        );
        assert!(error(json!({"lead_id": 1})).starts_with("nothing to update"));
        assert_eq!(
            error(json!({"lead_id": 0, "message": "x"})),
            "lead_id: must be a positive record id, got 0"
        );
        assert_eq!(
            error(json!({"lead_id": 1, "products": [{"product_id": 3, "qty": -1}]})),
            "products[0].qty: must be greater than 0, got -1"
        );
    }

    #[test]
    fn a_valid_request_becomes_a_plan() {
        let p = plan(json!({"lead_id": 3, "mark_as_lost": true, "lost_reason_id": 16, "description": "", "products": []})).unwrap();
        assert_eq!(p.outcome, Some(Outcome::Lost(Some(16))));
        assert_eq!(p.description.as_deref(), Some(""));
        assert!(p.lines.is_none() && p.replace);
    }
}
