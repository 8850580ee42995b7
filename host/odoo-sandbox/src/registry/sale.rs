//! `sale` and `product` models: orders, lines, products, pricelists (Odoo 17/18 names:
//! `product_uom` and `tax_id` on lines, renamed in 19).

use super::{
    Default, ModelDef, boolean, char, date, datetime, float, html, integer, many2many, many2one,
    monetary, one2many, selection, text,
};

pub(super) fn models() -> Vec<ModelDef> {
    vec![
        order(),
        line(),
        product(),
        ModelDef::new("product.category", "Product Category")
            .order("complete_name")
            .parent("parent_id")
            .fields(vec![
                char("name", "Name").required(),
                char("complete_name", "Complete Name").live(),
                many2one("parent_id", "Parent Category", "product.category").cascade(),
                one2many(
                    "child_id",
                    "Child Categories",
                    "product.category",
                    "parent_id",
                ),
            ]),
        ModelDef::new("product.pricelist", "Pricelist")
            .order("sequence asc, id asc")
            .fields(vec![
                char("name", "Pricelist Name").required(),
                boolean("active", "Active").default(Default::Bool(true)),
                integer("sequence", "Sequence").default(Default::Int(16)),
                many2one("currency_id", "Currency", "res.currency")
                    .required()
                    .default(Default::CompanyCurrency),
                many2one("company_id", "Company", "res.company"),
                one2many(
                    "item_ids",
                    "Pricelist Rules",
                    "product.pricelist.item",
                    "pricelist_id",
                ),
            ]),
        pricelist_item(),
    ]
}

const ORDER_STATES: &[(&str, &str)] = &[
    ("draft", "Quotation"),
    ("sent", "Quotation Sent"),
    ("sale", "Sales Order"),
    ("cancel", "Cancelled"),
];

const INVOICE_STATUS: &[(&str, &str)] = &[
    ("upselling", "Upselling Opportunity"),
    ("invoiced", "Fully Invoiced"),
    ("to invoice", "To Invoice"),
    ("no", "Nothing to Invoice"),
];

fn order() -> ModelDef {
    ModelDef::new("sale.order", "Sales Order")
        .order("date_order desc, id desc")
        .mail_thread()
        .fields(vec![
            char("name", "Order Reference")
                .required()
                .default(Default::Str("New")),
            selection("state", "Status", ORDER_STATES)
                .readonly()
                .default(Default::Str("draft")),
            boolean("locked", "Locked").readonly(),
            many2one("partner_id", "Customer", "res.partner").required(),
            many2one("partner_invoice_id", "Invoice Address", "res.partner").required(),
            many2one("partner_shipping_id", "Delivery Address", "res.partner").required(),
            datetime("date_order", "Order Date")
                .required()
                .default(Default::Now),
            date("validity_date", "Expiration").default(Default::TodayPlus(30)),
            datetime("commitment_date", "Delivery Date"),
            many2one("user_id", "Salesperson", "res.users").default(Default::CurrentUser),
            many2one("team_id", "Sales Team", "crm.team"),
            many2one("opportunity_id", "Opportunity", "crm.lead"),
            char("origin", "Source Document"),
            char("client_order_ref", "Customer Reference"),
            html("note", "Terms and conditions"),
            many2one("payment_term_id", "Payment Terms", "account.payment.term"),
            many2one("pricelist_id", "Pricelist", "product.pricelist"),
            many2one("currency_id", "Currency", "res.currency").readonly(),
            many2one("company_id", "Company", "res.company")
                .required()
                .default(Default::CurrentCompany),
            one2many("order_line", "Order Lines", "sale.order.line", "order_id"),
            monetary("amount_untaxed", "Untaxed Amount").stored_compute(),
            monetary("amount_tax", "Taxes").stored_compute(),
            monetary("amount_total", "Total").stored_compute(),
            selection("invoice_status", "Invoice Status", INVOICE_STATUS)
                .readonly()
                .default(Default::Str("no")),
            boolean("require_signature", "Online signature").default(Default::Bool(true)),
            boolean("require_payment", "Online payment"),
            many2many("tag_ids", "Tags", "crm.tag"),
            one2many("message_ids", "Messages", "mail.message", "res_id").live(),
        ])
}

const DISPLAY_TYPES: &[(&str, &str)] = &[("line_section", "Section"), ("line_note", "Note")];

fn line() -> ModelDef {
    ModelDef::new("sale.order.line", "Sales Order Line")
        .order("order_id, sequence, id")
        .fields(vec![
            many2one("order_id", "Order Reference", "sale.order")
                .required()
                .cascade(),
            integer("sequence", "Sequence").default(Default::Int(10)),
            selection("display_type", "Display Type", DISPLAY_TYPES),
            text("name", "Description").required(),
            many2one("product_id", "Product", "product.product").restrict(),
            float("product_uom_qty", "Quantity")
                .required()
                .default(Default::Float(1.0)),
            many2one("product_uom", "Unit of Measure", "uom.uom"),
            float("price_unit", "Unit Price").required(),
            float("discount", "Discount (%)"),
            many2many("tax_id", "Taxes", "account.tax"),
            monetary("price_subtotal", "Subtotal").stored_compute(),
            monetary("price_tax", "Total Tax").stored_compute(),
            monetary("price_total", "Total").stored_compute(),
            float("qty_delivered", "Delivery Quantity"),
            float("qty_invoiced", "Invoiced Quantity").readonly(),
            float("qty_to_invoice", "Quantity To Invoice").readonly(),
            float("customer_lead", "Lead Time"),
            boolean("is_downpayment", "Is a down payment"),
            selection("state", "Order Status", ORDER_STATES).related("order_id", "state"),
            many2one("currency_id", "Currency", "res.currency").related("order_id", "currency_id"),
            many2one("company_id", "Company", "res.company").related("order_id", "company_id"),
            many2one("order_partner_id", "Customer", "res.partner")
                .related("order_id", "partner_id"),
            many2one("salesman_id", "Salesperson", "res.users").related("order_id", "user_id"),
        ])
}

const PRODUCT_TYPES: &[(&str, &str)] = &[
    ("consu", "Goods"),
    ("service", "Service"),
    ("combo", "Combo"),
];

fn product() -> ModelDef {
    ModelDef::new("product.product", "Product Variant")
        .order("default_code, name, id")
        .fields(vec![
            char("name", "Name").required(),
            char("default_code", "Internal Reference"),
            char("barcode", "Barcode"),
            selection("type", "Product Type", PRODUCT_TYPES)
                .required()
                .default(Default::Str("consu")),
            float("list_price", "Sales Price").default(Default::Float(1.0)),
            float("standard_price", "Cost"),
            many2one("categ_id", "Product Category", "product.category").default(Default::FirstOf),
            many2one("uom_id", "Unit of Measure", "uom.uom").default(Default::FirstOf),
            many2many("taxes_id", "Customer Taxes", "account.tax"),
            text("description_sale", "Sales Description"),
            boolean("sale_ok", "Can be Sold").default(Default::Bool(true)),
            boolean("purchase_ok", "Can be Purchased").default(Default::Bool(true)),
            boolean("active", "Active").default(Default::Bool(true)),
            many2one("currency_id", "Currency", "res.currency").live(),
            many2one("company_id", "Company", "res.company"),
        ])
}

const APPLIED_ON: &[(&str, &str)] = &[
    ("3_global", "All Products"),
    ("2_product_category", "Product Category"),
    ("0_product_variant", "Product Variant"),
];

const COMPUTE_PRICE: &[(&str, &str)] = &[("fixed", "Fixed Price"), ("percentage", "Discount")];

fn pricelist_item() -> ModelDef {
    ModelDef::new("product.pricelist.item", "Pricelist Rule")
        .order("applied_on, min_quantity desc, categ_id desc, id desc")
        .fields(vec![
            many2one("pricelist_id", "Pricelist", "product.pricelist")
                .required()
                .cascade(),
            selection("applied_on", "Apply On", APPLIED_ON)
                .required()
                .default(Default::Str("3_global")),
            many2one("product_id", "Product Variant", "product.product").cascade(),
            many2one("categ_id", "Product Category", "product.category").cascade(),
            selection("compute_price", "Compute Price", COMPUTE_PRICE)
                .required()
                .default(Default::Str("fixed")),
            float("fixed_price", "Fixed Price"),
            float("percent_price", "Percentage Price"),
            float("min_quantity", "Min. Quantity"),
            datetime("date_start", "Start Date"),
            datetime("date_end", "End Date"),
            char("name", "Name").live(),
            many2one("currency_id", "Currency", "res.currency")
                .related("pricelist_id", "currency_id"),
            many2one("company_id", "Company", "res.company").related("pricelist_id", "company_id"),
        ])
}
