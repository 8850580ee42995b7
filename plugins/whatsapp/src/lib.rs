//! `message_notification`: a customer asked for a person, so the salesperson gets a
//! WhatsApp (or SMS) message through the host's messaging.
//!
//! The salesperson is the opportunity's, else the quotation's, else the least-loaded
//! member of the sales team. With a quotation at hand the message carries it (number,
//! products, total); otherwise it is a plain request for attention. Unlike the seed
//! system, the message includes the context it gathered (customer, company, email,
//! city, conversation id), a missing record is an error rather than a log line, and a
//! salesperson without a usable number falls back to `messages.fallback_recipient` when
//! one is configured.

use daniel_plugin_sdk::prelude::*;
use plugin_kit::messages::{MessageSettings, Sent, Template, Values, money};
use plugin_kit::salesperson::{self, Pipeline, Salesperson};
use plugin_kit::validate;

/// `[plugins.whatsapp.settings]`; defaults are the seed system's constants.
#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Settings {
    /// `crm.team` whose least-loaded member is notified when no salesperson is known.
    sales_team_id: i64,
    /// `crm.stage` ids whose open opportunities count as load.
    pipeline_stage_ids: Vec<i64>,
    /// Prefixed to phone numbers without a country code.
    phone_country_code: String,
    /// Channel, language, templates and fallback recipient.
    messages: MessageSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            sales_team_id: 14,
            pipeline_stage_ids: vec![1, 2, 10, 3],
            phone_country_code: "+52".into(),
            messages: MessageSettings::default(),
        }
    }
}

#[derive(Deserialize, JsonSchema)]
struct NotifyArgs {
    /// The customer's phone (E.164; the country code is added when missing).
    user_phone: String,
    /// Why a person is needed, in a few words.
    reason: String,
    /// The customer's name, if known.
    #[serde(default)]
    user_name: Option<String>,
    /// The conversation's id, so the salesperson can find it.
    #[serde(default)]
    conversation_id: Option<String>,
    /// Anything else the salesperson should know.
    #[serde(default)]
    additional_context: Option<String>,
    /// The customer's opportunity (`crm.lead` id), if there is one.
    #[serde(default)]
    lead_id: Option<i64>,
    /// The customer's quotation (`sale.order` id), if there is one.
    #[serde(default)]
    sale_order_id: Option<i64>,
}

#[derive(Serialize, JsonSchema)]
struct Notified {
    /// `sent`: the provider accepted the message.
    status: &'static str,
    #[serde(flatten)]
    sent: Sent,
    /// `quotation` (a quotation was included) or `human_attention`.
    template: &'static str,
    /// Who was notified; null if nobody could be assigned (fallback recipient).
    salesperson: Option<Salesperson>,
    /// How the salesperson was found: `lead`, `sale_order` or `least_loaded`.
    assigned_by: &'static str,
    /// The quotation the message refers to.
    sale_order_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct LeadRow {
    name: String,
    #[serde(default, deserialize_with = "false_as_none")]
    partner_name: Option<String>,
    #[serde(default, deserialize_with = "false_as_none")]
    contact_name: Option<String>,
    #[serde(default, deserialize_with = "false_as_none")]
    email_from: Option<String>,
    #[serde(default, deserialize_with = "false_as_none")]
    city: Option<String>,
    #[serde(default)]
    user_id: Many2one,
    #[serde(default)]
    order_ids: Vec<i64>,
}

#[derive(Debug, Deserialize)]
struct OrderRow {
    name: String,
    #[serde(default)]
    partner_id: Many2one,
    #[serde(default)]
    user_id: Many2one,
    #[serde(default)]
    amount_total: f64,
    #[serde(default)]
    order_line: Vec<i64>,
}

#[derive(Deserialize)]
struct LineRow {
    #[serde(default)]
    product_id: Many2one,
    #[serde(default)]
    product_uom_qty: f64,
}

/// Validated arguments.
struct Request {
    phone: String,
    reason: String,
    name: Option<String>,
    conversation_id: Option<String>,
    context: Option<String>,
    lead_id: Option<i64>,
    order_id: Option<i64>,
}

impl NotifyArgs {
    fn validate(self, s: &Settings) -> Result<Request, ToolError> {
        Ok(Request {
            phone: validate::phone("user_phone", &self.user_phone, &s.phone_country_code)?,
            reason: validate::required("reason", &self.reason)?,
            name: validate::optional(self.user_name.as_deref()),
            conversation_id: validate::optional(self.conversation_id.as_deref()),
            context: validate::optional(self.additional_context.as_deref()),
            lead_id: validate::opt_id("lead_id", self.lead_id)?,
            order_id: validate::opt_id("sale_order_id", self.sale_order_id)?,
        })
    }
}

fn read_one<T: serde::de::DeserializeOwned>(
    ctx: &Context,
    model: &str,
    id: i64,
    fields: &[&str],
    arg: &str,
) -> Result<T, ToolError> {
    let rows: Vec<T> = ctx.odoo().read(model, &[id], fields)?;
    rows.into_iter()
        .next()
        .ok_or_else(|| ToolError::not_found(format!("{arg}: {model} {id} does not exist")))
}

fn message_notification(ctx: &Context, args: NotifyArgs) -> Result<Notified, ToolError> {
    let s: Settings = ctx.settings()?;
    let req = args.validate(&s)?;
    let lead: Option<LeadRow> = req
        .lead_id
        .map(|id| {
            read_one(
                ctx,
                "crm.lead",
                id,
                &[
                    "name",
                    "partner_name",
                    "contact_name",
                    "email_from",
                    "city",
                    "user_id",
                    "order_ids",
                ],
                "lead_id",
            )
        })
        .transpose()?;
    // The quotation given, else the opportunity's latest.
    let order_id = req.order_id.or_else(|| {
        lead.as_ref()
            .and_then(|l| l.order_ids.iter().max().copied())
    });
    let order: Option<OrderRow> = order_id
        .map(|id| {
            read_one(
                ctx,
                "sale.order",
                id,
                &[
                    "name",
                    "partner_id",
                    "user_id",
                    "amount_total",
                    "order_line",
                ],
                "sale_order_id",
            )
        })
        .transpose()?;
    let (salesperson, assigned_by) = salesperson_for(ctx, &s, lead.as_ref(), order.as_ref())?;
    let (template, values) = match &order {
        Some(o) => (
            Template::Quotation,
            quotation_values(ctx, &req, lead.as_ref(), o, salesperson.as_ref())?,
        ),
        None => (
            Template::HumanAttention,
            attention_values(&req, lead.as_ref(), salesperson.as_ref()),
        ),
    };
    let body = s.messages.render(template, &values);
    let sent =
        s.messages
            .send_to_salesperson(ctx, salesperson.as_ref(), &s.phone_country_code, &body)?;
    Ok(Notified {
        status: "sent",
        sent,
        template: if template == Template::Quotation {
            "quotation"
        } else {
            "human_attention"
        },
        salesperson,
        assigned_by,
        sale_order_name: order.map(|o| o.name),
    })
}

fn salesperson_for(
    ctx: &Context,
    s: &Settings,
    lead: Option<&LeadRow>,
    order: Option<&OrderRow>,
) -> Result<(Option<Salesperson>, &'static str), ToolError> {
    let known = [
        (lead.and_then(|l| l.user_id.id()), "lead"),
        (order.and_then(|o| o.user_id.id()), "sale_order"),
    ];
    for (user, how) in known {
        if let Some(id) = user
            && let Some(sp) = salesperson::by_id(ctx, id, &s.phone_country_code)?
        {
            return Ok((Some(sp), how));
        }
    }
    let pipeline = Pipeline {
        team_id: s.sales_team_id,
        stage_ids: &s.pipeline_stage_ids,
        country_code: &s.phone_country_code,
    };
    Ok((salesperson::least_loaded(ctx, pipeline)?, "least_loaded"))
}

fn quotation_values(
    ctx: &Context,
    req: &Request,
    lead: Option<&LeadRow>,
    order: &OrderRow,
    salesperson: Option<&Salesperson>,
) -> Result<Values, ToolError> {
    let lines: Vec<LineRow> = if order.order_line.is_empty() {
        Vec::new()
    } else {
        ctx.odoo().read(
            "sale.order.line",
            &order.order_line,
            &["product_id", "product_uom_qty"],
        )?
    };
    let products: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            l.product_id
                .name()
                .map(|n| format!("{n} (x{})", l.product_uom_qty))
        })
        .collect();
    let company = lead
        .and_then(|l| l.partner_name.clone())
        .or_else(|| order.partner_id.name().map(str::to_owned));
    Ok([
        ("order_name", Some(order.name.clone())),
        (
            "customer_name",
            req.name
                .clone()
                .or_else(|| lead.and_then(|l| l.contact_name.clone())),
        ),
        ("company", company),
        ("customer_phone", Some(req.phone.clone())),
        ("email", lead.and_then(|l| l.email_from.clone())),
        ("city", lead.and_then(|l| l.city.clone())),
        ("products", Some(products.join(", "))),
        ("amount_total", Some(money(order.amount_total))),
        ("context", Some(context(req))),
        ("salesperson", salesperson.map(describe)),
    ]
    .into_iter()
    .collect())
}

fn attention_values(
    req: &Request,
    lead: Option<&LeadRow>,
    salesperson: Option<&Salesperson>,
) -> Values {
    [
        (
            "customer_name",
            req.name
                .clone()
                .or_else(|| lead.and_then(|l| l.contact_name.clone())),
        ),
        ("customer_phone", Some(req.phone.clone())),
        ("reason", Some(req.reason.clone())),
        ("context", req.context.clone()),
        ("conversation_id", req.conversation_id.clone()),
        ("lead_name", lead.map(|l| l.name.clone())),
        ("salesperson", salesperson.map(describe)),
    ]
    .into_iter()
    .collect()
}

/// The reason, with the extra context and conversation id when given.
fn context(req: &Request) -> String {
    let mut parts = vec![req.reason.clone()];
    parts.extend(req.context.clone());
    if let Some(id) = &req.conversation_id {
        parts.push(format!("conversación {id}"));
    }
    parts.join(" | ")
}

fn describe(sp: &Salesperson) -> String {
    format!("{} (ID {})", sp.name, sp.id)
}

daniel_plugin_sdk::plugin! {
    Whatsapp,
    [
        Tool::new(
            "message_notification",
            "Asks a salesperson to contact the customer (WhatsApp message to the opportunity's or quotation's salesperson, else the least-loaded one). Only when the customer explicitly asks for a person",
            message_notification,
        )
        .title("Hand off to a salesperson")
        .non_destructive(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_parameters_are_kept() {
        let spec = Whatsapp::tools()[0].spec();
        assert_eq!(
            spec.input_schema["required"],
            json!(["user_phone", "reason"])
        );
        let props = spec.input_schema["properties"].as_object().unwrap();
        for p in [
            "user_name",
            "conversation_id",
            "additional_context",
            "lead_id",
            "sale_order_id",
        ] {
            assert!(props.contains_key(p), "{p}");
        }
    }

    #[test]
    fn context_joins_what_is_known() {
        let req = Request {
            phone: "+525500000000".into(),
            reason: "Quiere hablar con un asesor".into(),
            name: None,
            conversation_id: Some("conv_1".into()),
            context: Some("Pregunta por KettyBot".into()),
            lead_id: None,
            order_id: None,
        };
        assert_eq!(
            context(&req),
            "Quiere hablar con un asesor | Pregunta por KettyBot | conversación conv_1"
        );
        let values = attention_values(&req, None, None);
        assert_eq!(values["conversation_id"].as_deref(), Some("conv_1"));
    }

    #[test]
    fn arguments_are_checked_and_settings_typos_refused() {
        let args: NotifyArgs =
            daniel_plugin_sdk::serde_json::from_value(json!({"user_phone": "12", "reason": "x"}))
                .unwrap();
        let err = args.validate(&Settings::default()).err().unwrap();
        assert!(
            err.message()
                .starts_with("user_phone: '12' is not a valid phone number")
        );
        let args: NotifyArgs = daniel_plugin_sdk::serde_json::from_value(
            json!({"user_phone": "5512345678", "reason": " "}),
        )
        .unwrap();
        assert_eq!(
            args.validate(&Settings::default()).err().unwrap().message(),
            "reason: must not be empty"
        );
        let err: Result<Settings, _> =
            daniel_plugin_sdk::serde_json::from_value(json!({"team": 1}));
        assert!(err.is_err());
    }
}
