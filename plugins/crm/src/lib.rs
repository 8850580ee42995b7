//! CRM: quotations and lead updates (on the development instance by configuration).
//!
//! - `dev_create_quotation` validates and queues a quotation job, answering with a
//!   tracking id at once; the `quotation` job creates or reuses the customer, assigns
//!   the least-loaded salesperson, creates the opportunity and the quotation with its
//!   lines, and sends the salesperson a hand-off message.
//! - `dev_get_quotation_status` reads the job's status.
//! - `dev_update_lead_quotation` updates an opportunity: description, note, won/lost,
//!   linked quotations and their products.
//!
//! Business constants (team, stages, pricelist, prefixes, templates) are settings; see
//! [`settings::Settings`].

mod lead_update;
mod quotation;
mod settings;

use daniel_plugin_sdk::prelude::*;

daniel_plugin_sdk::plugin! {
    Crm,
    [
        Tool::new(
            "dev_create_quotation",
            "Queues a quotation for a customer (customer, opportunity, quotation with its products, salesperson hand-off). \
             Answers at once with a tracking_id: the quotation does NOT exist until dev_get_quotation_status says 'completed'.",
            quotation::create_quotation,
        )
        .title("Queue a quotation")
        .non_destructive(),
        Tool::new(
            "dev_get_quotation_status",
            "Reports a queued quotation: queued, processing, completed (with the quotation number and total) or failed (with the reason)",
            quotation::quotation_status,
        )
        .title("Quotation status")
        .read_only()
        .closed_world(),
        Tool::new(
            "dev_update_lead_quotation",
            "Updates an opportunity: description, internal note, won or lost (with reason), link a quotation (optionally unlinking the others), replace or add the quotation's products",
            lead_update::update_lead,
        )
        .title("Update an opportunity and its quotation")
        .closed_world(),
    ],
    jobs: [Job::new(quotation::KIND, quotation::job::run_quotation)],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_and_the_quotation_job_are_exported() {
        let names: Vec<String> = Crm::tools().iter().map(|t| t.name().to_owned()).collect();
        assert_eq!(
            names,
            [
                "dev_create_quotation",
                "dev_get_quotation_status",
                "dev_update_lead_quotation"
            ]
        );
        assert_eq!(Crm::jobs()[0].kind(), "quotation");
        let spec = Crm::tools()[0].spec();
        let required = spec.input_schema["required"].as_array().unwrap().clone();
        for p in [
            "partner_name",
            "contact_name",
            "email",
            "phone",
            "lead_name",
        ] {
            assert!(required.contains(&json!(p)), "{p}");
        }
    }

    #[test]
    fn a_job_with_bad_input_fails_as_a_bug_not_a_panic() {
        let err = Crm::jobs()[0]
            .run(&Context::for_job("quotation"), r#"{"nope": 1}"#)
            .unwrap_err();
        assert!(matches!(err, ToolError::Internal(_)), "{err:?}");
    }
}
