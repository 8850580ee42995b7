//! `crm` models: teams, stages, leads, lost reasons, tags (Odoo 17/18 field names).

use super::{
    Default, ModelDef, boolean, char, date, datetime, float, html, integer, many2many, many2one,
    monetary, one2many, selection, text,
};

pub(super) fn models() -> Vec<ModelDef> {
    vec![
        ModelDef::new("crm.team", "Sales Team")
            .order("sequence ASC, create_date DESC, id DESC")
            .fields(vec![
                char("name", "Sales Team").required(),
                integer("sequence", "Sequence").default(Default::Int(10)),
                boolean("active", "Active").default(Default::Bool(true)),
                many2one("user_id", "Team Leader", "res.users"),
                many2many("member_ids", "Salespersons", "res.users"),
                many2one("company_id", "Company", "res.company").default(Default::CurrentCompany),
                many2one("currency_id", "Currency", "res.currency").live(),
                integer("color", "Color Index"),
            ]),
        ModelDef::new("crm.stage", "CRM Stages")
            .order("sequence, name, id")
            .fields(vec![
                char("name", "Stage Name").required(),
                integer("sequence", "Sequence").default(Default::Int(1)),
                boolean("is_won", "Is Won Stage?"),
                boolean("fold", "Folded in Pipeline"),
                many2one("team_id", "Sales Team", "crm.team"),
                text("requirements", "Requirements"),
            ]),
        ModelDef::new("crm.lost.reason", "Opp. Lost Reason")
            .order("name")
            .fields(vec![
                char("name", "Description").required(),
                boolean("active", "Active").default(Default::Bool(true)),
            ]),
        ModelDef::new("crm.tag", "CRM Tag")
            .order("name")
            .fields(vec![
                char("name", "Tag Name").required(),
                integer("color", "Color"),
            ]),
        lead(),
    ]
}

const LEAD_TYPES: &[(&str, &str)] = &[("lead", "Lead"), ("opportunity", "Opportunity")];

const PRIORITIES: &[(&str, &str)] = &[
    ("0", "Low"),
    ("1", "Medium"),
    ("2", "High"),
    ("3", "Very High"),
];

fn lead() -> ModelDef {
    ModelDef::new("crm.lead", "Lead/Opportunity")
        .order("priority desc, id desc")
        .mail_thread()
        .fields(vec![
            char("name", "Opportunity").required(),
            selection("type", "Type", LEAD_TYPES)
                .required()
                .default(Default::Str("lead")),
            many2one("partner_id", "Customer", "res.partner"),
            char("partner_name", "Company Name"),
            char("contact_name", "Contact Name"),
            char("email_from", "Email"),
            char("phone", "Phone"),
            char("mobile", "Mobile"),
            char("function", "Job Position"),
            char("website", "Website"),
            char("street", "Street"),
            char("city", "City"),
            char("zip", "Zip"),
            many2one("country_id", "Country", "res.country"),
            many2one("user_id", "Salesperson", "res.users").default(Default::CurrentUser),
            many2one("team_id", "Sales Team", "crm.team"),
            many2one("stage_id", "Stage", "crm.stage").restrict(),
            float("probability", "Probability").default(Default::Float(10.0)),
            monetary("expected_revenue", "Expected Revenue"),
            monetary("prorated_revenue", "Prorated Revenue").stored_compute(),
            monetary("recurring_revenue", "Recurring Revenues"),
            date("date_deadline", "Expected Closing"),
            datetime("date_open", "Assignment Date").readonly(),
            datetime("date_closed", "Closed Date").readonly(),
            datetime("date_conversion", "Conversion Date").readonly(),
            datetime("date_last_stage_update", "Last Stage Update").readonly(),
            selection("priority", "Priority", PRIORITIES).default(Default::Str("0")),
            many2many("tag_ids", "Tags", "crm.tag"),
            many2one("lost_reason_id", "Lost Reason", "crm.lost.reason"),
            text("lost_feedback", "Closing Note"),
            boolean("active", "Active").default(Default::Bool(true)),
            html("description", "Notes"),
            many2one("company_id", "Company", "res.company").default(Default::CurrentCompany),
            many2one("company_currency", "Currency", "res.currency").live(),
            one2many("order_ids", "Orders", "sale.order", "opportunity_id"),
            integer("quotation_count", "Number of Quotations").live(),
            monetary("sale_amount_total", "Sum of Orders").live(),
            many2one("x_studio_producto", "Producto", "product.product")
                .help("Odoo Studio field holding the lead's main product."),
            integer("color", "Color Index"),
            one2many("message_ids", "Messages", "mail.message", "res_id").live(),
        ])
}
