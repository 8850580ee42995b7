//! `dev_create_quotation` queues a quotation and answers at once with a tracking id;
//! `dev_get_quotation_status` reports how it went. The work runs as the `quotation`
//! job ([`job`]) on the host's job queue, with `dev_create_quotation`'s grants.
//!
//! The queued answer says plainly that nothing exists yet: the seed's agent announced
//! "Cotización creada con éxito" while the quotation was still queued (or failing).

pub(crate) mod input;
pub(crate) mod job;

use daniel_plugin_sdk::prelude::*;
use plugin_kit::validate;

use crate::settings::Settings;
use input::QuotationArgs;

/// The job kind quotations run as.
pub(crate) const KIND: &str = "quotation";

#[derive(Serialize, JsonSchema)]
pub(crate) struct Queued {
    /// Pass it to `dev_get_quotation_status`.
    tracking_id: String,
    /// Always `queued`: the quotation does NOT exist yet.
    status: &'static str,
    /// What to do next.
    message: &'static str,
    /// The tool that reports the outcome.
    check_status_with: &'static str,
    /// How long it usually takes.
    estimated_time: &'static str,
}

pub(crate) fn create_quotation(ctx: &Context, args: QuotationArgs) -> Result<Queued, ToolError> {
    let settings: Settings = ctx.settings()?;
    let input = args.validate(&settings)?;
    let tracking_id = ctx.jobs().submit(KIND, &input)?;
    Ok(Queued {
        tracking_id,
        status: "queued",
        message: "Quotation queued, NOT created yet. Call dev_get_quotation_status with this tracking_id until status is \
                  'completed' (the result has the quotation number) or 'failed' (the error says why).",
        check_status_with: "dev_get_quotation_status",
        estimated_time: "5-30 seconds",
    })
}

#[derive(Deserialize, JsonSchema)]
pub(crate) struct StatusArgs {
    /// The tracking id `dev_create_quotation` returned, e.g. `quot_1a2b3c4d5e6f`.
    tracking_id: String,
}

#[derive(Serialize, Deserialize, JsonSchema)]
pub(crate) struct Status {
    tracking_id: String,
    /// `queued`, `processing`, `completed` or `failed`.
    status: String,
    /// The last step reached, e.g. "Creando cotización...".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    progress: Option<String>,
    /// When completed: the quotation (number, totals, customer, opportunity, salesperson).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    result: Option<Value>,
    /// When failed: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    completed_at: Option<String>,
    /// Time from queueing to completion (or now), e.g. `3.20s`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    elapsed_time: Option<String>,
    /// What the status means for the conversation.
    #[serde(default)]
    message: String,
}

fn meaning(status: &str) -> &'static str {
    match status {
        "completed" => {
            "The quotation exists: give the customer its number (result.sale_order_name)."
        }
        "failed" => {
            "The quotation was NOT created: see error; fix the data and call dev_create_quotation again."
        }
        _ => "Not created yet: ask again in a few seconds.",
    }
}

pub(crate) fn quotation_status(ctx: &Context, args: StatusArgs) -> Result<Status, ToolError> {
    let id = validate::required("tracking_id", &args.tracking_id)?;
    let Some(doc) = ctx.jobs().status(&id)? else {
        return Err(ToolError::not_found(format!(
            "no quotation with tracking_id '{id}' (use the id dev_create_quotation returned, e.g. quot_1a2b3c4d5e6f)"
        )));
    };
    let mut status: Status = daniel_plugin_sdk::serde_json::from_value(doc)
        .map_err(|e| ToolError::internal(format!("job status has an unexpected shape: {e}")))?;
    status.message = meaning(&status.status).to_owned();
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_say_whether_the_quotation_exists() {
        let doc = json!({"tracking_id": "quot_1", "kind": "quotation", "status": "processing", "progress": "Creando lead...",
                         "created_at": "2026-11-26T12:00:00Z", "elapsed_time": "1.00s"});
        let mut s: Status = daniel_plugin_sdk::serde_json::from_value(doc).unwrap();
        s.message = meaning(&s.status).to_owned();
        let out = daniel_plugin_sdk::serde_json::to_value(&s).unwrap();
        assert_eq!(
            out["message"],
            "Not created yet: ask again in a few seconds."
        );
        assert!(out.get("result").is_none());
        assert!(meaning("failed").contains("NOT created"));
    }
}
