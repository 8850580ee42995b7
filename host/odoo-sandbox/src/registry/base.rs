//! `base` and `mail` models: companies, partners, users, groups, sequences, messages.

use super::{
    Default, ModelDef, binary, boolean, char, float, html, integer, many2many, many2one, one2many,
    selection, text,
};

pub(super) fn models() -> Vec<ModelDef> {
    vec![
        company(),
        ModelDef::new("res.currency", "Currency")
            .order("active desc, name")
            .fields(vec![
                char("name", "Currency").required(),
                char("symbol", "Symbol").required(),
                float("rounding", "Rounding Factor").default(Default::Float(0.01)),
                selection(
                    "position",
                    "Symbol Position",
                    &[("after", "After Amount"), ("before", "Before Amount")],
                )
                .default(Default::Str("before")),
                boolean("active", "Active").default(Default::Bool(true)),
            ]),
        ModelDef::new("res.country", "Country")
            .order("name")
            .fields(vec![
                char("name", "Country Name").required(),
                char("code", "Country Code"),
                integer("phone_code", "Country Calling Code"),
            ]),
        partner(),
        users(),
        ModelDef::new("res.groups", "Access Groups")
            .order("name")
            .fields(vec![
                char("name", "Name").required(),
                text("comment", "Comment"),
                boolean("x_read_only", "Read-only (sandbox)").help(
                    "Sandbox-only: members may read every model but any create, write, \
                 unlink or action is refused with an AccessError.",
                ),
            ]),
        ModelDef::new("ir.sequence", "Sequence")
            .order("name")
            .fields(vec![
                char("name", "Name").required(),
                char("code", "Sequence Code"),
                char("prefix", "Prefix"),
                integer("padding", "Sequence Size").default(Default::Int(0)),
                integer("number_next", "Next Number").default(Default::Int(1)),
                integer("number_increment", "Step").default(Default::Int(1)),
                boolean("active", "Active").default(Default::Bool(true)),
            ]),
        ModelDef::new("uom.uom", "Product Unit of Measure")
            .order("name")
            .fields(vec![
                char("name", "Unit of Measure").required(),
                float("rounding", "Rounding Precision").default(Default::Float(0.01)),
                boolean("active", "Active").default(Default::Bool(true)),
            ]),
        ModelDef::new("account.tax", "Tax")
            .order("sequence,id")
            .fields(vec![
                char("name", "Tax Name").required(),
                selection(
                    "amount_type",
                    "Tax Computation",
                    &[
                        ("group", "Group of Taxes"),
                        ("fixed", "Fixed"),
                        ("percent", "Percentage of Price"),
                        ("division", "Percentage of Price Tax Included"),
                    ],
                )
                .required()
                .default(Default::Str("percent")),
                float("amount", "Amount").required(),
                selection(
                    "type_tax_use",
                    "Tax Type",
                    &[
                        ("sale", "Sales"),
                        ("purchase", "Purchases"),
                        ("none", "None"),
                    ],
                )
                .required()
                .default(Default::Str("sale")),
                boolean("price_include", "Included in Price"),
                integer("sequence", "Sequence").default(Default::Int(1)),
                many2one("company_id", "Company", "res.company").default(Default::CurrentCompany),
                boolean("active", "Active").default(Default::Bool(true)),
            ]),
        ModelDef::new("account.payment.term", "Payment Terms")
            .order("sequence, id")
            .fields(vec![
                char("name", "Payment Terms").required(),
                html("note", "Description on the Invoice"),
                integer("sequence", "Sequence").default(Default::Int(10)),
                boolean("active", "Active").default(Default::Bool(true)),
            ]),
        message(),
        ModelDef::new("mail.message.subtype", "Message subtypes")
            .order("sequence, id")
            .fields(vec![
                char("name", "Message Type").required(),
                boolean("internal", "Internal Only"),
                integer("sequence", "Sequence").default(Default::Int(1)),
            ]),
    ]
}

fn company() -> ModelDef {
    ModelDef::new("res.company", "Companies")
        .order("sequence, name")
        .fields(vec![
            char("name", "Company Name").required(),
            many2one("partner_id", "Partner", "res.partner"),
            many2one("currency_id", "Currency", "res.currency").required(),
            char("email", "Email"),
            char("phone", "Phone"),
            char("street", "Street"),
            char("city", "City"),
            many2one("country_id", "Country", "res.country"),
            char("vat", "Tax ID"),
            integer("sequence", "Sequence").default(Default::Int(10)),
        ])
}

const PARTNER_TYPES: &[(&str, &str)] = &[
    ("contact", "Contact"),
    ("invoice", "Invoice Address"),
    ("delivery", "Delivery Address"),
    ("other", "Other Address"),
];

fn partner() -> ModelDef {
    ModelDef::new("res.partner", "Contact")
        .order("complete_name ASC, id DESC")
        .parent("parent_id")
        .mail_thread()
        .fields(vec![
            char("name", "Name"),
            char("complete_name", "Complete Name").live(),
            boolean("is_company", "Is a Company"),
            selection(
                "company_type",
                "Company Type",
                &[("person", "Individual"), ("company", "Company")],
            )
            .default(Default::Str("person")),
            many2one("parent_id", "Related Company", "res.partner"),
            one2many("child_ids", "Contact", "res.partner", "parent_id"),
            many2one("commercial_partner_id", "Commercial Entity", "res.partner").live(),
            selection("type", "Address Type", PARTNER_TYPES).default(Default::Str("contact")),
            char("email", "Email"),
            char("phone", "Phone"),
            char("mobile", "Mobile"),
            char("function", "Job Position"),
            char("street", "Street"),
            char("street2", "Street2"),
            char("city", "City"),
            char("zip", "Zip"),
            many2one("country_id", "Country", "res.country"),
            char("vat", "Tax ID"),
            char("website", "Website Link"),
            char("lang", "Language").default(Default::Str("es_MX")),
            html("comment", "Notes"),
            many2one("user_id", "Salesperson", "res.users"),
            many2one("company_id", "Company", "res.company"),
            many2one(
                "property_product_pricelist",
                "Pricelist",
                "product.pricelist",
            ),
            integer("customer_rank", "Customer Rank"),
            integer("supplier_rank", "Supplier Rank"),
            integer("color", "Color Index"),
            boolean("active", "Active").default(Default::Bool(true)),
            one2many("message_ids", "Messages", "mail.message", "res_id").live(),
            binary("image_128", "Image 128"),
        ])
}

fn users() -> ModelDef {
    ModelDef::new("res.users", "User")
        .order("name, login")
        .fields(vec![
            many2one("partner_id", "Related Partner", "res.partner").required(),
            char("login", "Login").required(),
            char("password", "Password").help("Write-only: reads answer an empty value."),
            char("name", "Name").related("partner_id", "name"),
            char("email", "Email").related("partner_id", "email"),
            char("phone", "Phone").related("partner_id", "phone"),
            char("mobile", "Mobile").related("partner_id", "mobile"),
            boolean("active", "Active").default(Default::Bool(true)),
            boolean("share", "Share User").readonly(),
            many2one("company_id", "Company", "res.company")
                .required()
                .default(Default::CurrentCompany),
            many2many("company_ids", "Companies", "res.company"),
            many2many("groups_id", "Groups", "res.groups"),
            selection(
                "tz",
                "Timezone",
                &[
                    ("America/Mexico_City", "America/Mexico_City"),
                    ("America/Monterrey", "America/Monterrey"),
                    ("America/Tijuana", "America/Tijuana"),
                    ("UTC", "UTC"),
                ],
            ),
            char("lang", "Language").related("partner_id", "lang"),
            html("signature", "Email Signature"),
            many2one("sale_team_id", "User Sales Team", "crm.team").live(),
            many2many("crm_team_ids", "Sales Teams", "crm.team").live(),
        ])
}

const MESSAGE_TYPES: &[(&str, &str)] = &[
    ("email", "Incoming Email"),
    ("comment", "Comment"),
    ("email_outgoing", "Outgoing Email"),
    ("notification", "System notification"),
    ("auto_comment", "Automated Targeted Notification"),
    ("user_notification", "User Specific Notification"),
];

fn message() -> ModelDef {
    ModelDef::new("mail.message", "Message")
        .order("id desc")
        .fields(vec![
            char("subject", "Subject"),
            html("body", "Contents"),
            char("model", "Related Document Model"),
            integer("res_id", "Related Document ID"),
            char("record_name", "Message Record Name"),
            selection("message_type", "Type", MESSAGE_TYPES)
                .required()
                .default(Default::Str("comment")),
            many2one("subtype_id", "Subtype", "mail.message.subtype"),
            many2one("author_id", "Author", "res.partner").default(Default::CurrentPartner),
            char("email_from", "From"),
            crate::registry::datetime("date", "Date").default(Default::Now),
            many2many("partner_ids", "Recipients", "res.partner"),
            many2one("parent_id", "Parent Message", "mail.message"),
            boolean("is_internal", "Employee Only"),
        ])
}
