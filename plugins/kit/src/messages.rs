//! Hand-off messages to salespeople: channel, language, templates and recipients, all
//! settings of the plugin that sends them (`[plugins.NAME.settings.messages]`).
//!
//! Templates are plain text with `{placeholders}`; a placeholder whose value is unknown
//! renders as `N/A`, an unknown placeholder stays as written. The built-in templates
//! (Spanish by default, English with `language = "en"`) carry what the seed system
//! computed and then dropped: customer, company, email, city, products and total.

use std::collections::BTreeMap;

use daniel_plugin_sdk::{Channel, Context, ToolError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::salesperson::Salesperson;
use crate::validate;

/// `[settings.messages]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MessageSettings {
    /// `whatsapp` (default) or `sms`.
    pub channel: Channel,
    /// Language of the built-in templates: `es` (default) or `en`.
    pub language: Language,
    /// Replaces the built-in "quotation" template (a quotation exists for the customer).
    pub quotation: Option<String>,
    /// Replaces the built-in "human attention" template (no quotation yet).
    pub human_attention: Option<String>,
    /// Replaces the built-in "quotation failed" template.
    pub quotation_failed: Option<String>,
    /// Sent to instead when the salesperson has no usable number. Without it, such a
    /// hand-off fails and says why (the seed system silently dropped it).
    pub fallback_recipient: Option<String>,
    /// Where failed quotations are reported (E.164); not reported when unset.
    pub error_recipient: Option<String>,
}

impl Default for MessageSettings {
    fn default() -> Self {
        Self {
            channel: Channel::Whatsapp,
            language: Language::Es,
            quotation: None,
            human_attention: None,
            quotation_failed: None,
            fallback_recipient: None,
            error_recipient: None,
        }
    }
}

/// The language of the built-in templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Spanish (the seed system's).
    Es,
    /// English.
    En,
}

/// Which message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// A quotation exists: `order_name`, `customer_name`, `company`, `customer_phone`,
    /// `email`, `city`, `products`, `amount_total`, `context`, `salesperson`.
    Quotation,
    /// A customer asks for a person: `customer_name`, `customer_phone`, `reason`,
    /// `context`, `conversation_id`, `lead_name`, `salesperson`.
    HumanAttention,
    /// A quotation job failed: `tracking_id`, `lead_name`, `customer_name`,
    /// `company`, `customer_phone`, `email`, `error`.
    QuotationFailed,
}

const ES_QUOTATION: &str = "Nueva cotización {order_name}\nCliente: {customer_name} ({company})\nTel: {customer_phone}\nCorreo: {email}\nCiudad: {city}\nProductos: {products}\nTotal: {amount_total}\nContexto: {context}";
const ES_HUMAN: &str = "Se solicita atención humana\n\nCliente: {customer_name}\nTel: {customer_phone}\nMotivo: {reason}\nContexto: {context}\nOportunidad: {lead_name}\nConversación: {conversation_id}\n\nVendedor asignado: {salesperson}";
const ES_FAILED: &str = "Error en cotización {lead_name}\nTracking ID: {tracking_id}\nCliente: {customer_name} ({company})\nTel: {customer_phone}\nCorreo: {email}\nError: {error}";
const EN_QUOTATION: &str = "New quotation {order_name}\nCustomer: {customer_name} ({company})\nPhone: {customer_phone}\nEmail: {email}\nCity: {city}\nProducts: {products}\nTotal: {amount_total}\nContext: {context}";
const EN_HUMAN: &str = "A customer asks for a person\n\nCustomer: {customer_name}\nPhone: {customer_phone}\nReason: {reason}\nContext: {context}\nOpportunity: {lead_name}\nConversation: {conversation_id}\n\nAssigned salesperson: {salesperson}";
const EN_FAILED: &str = "Quotation {lead_name} failed\nTracking ID: {tracking_id}\nCustomer: {customer_name} ({company})\nPhone: {customer_phone}\nEmail: {email}\nError: {error}";

impl MessageSettings {
    /// The template text for `which`: the configured one, else the built-in one.
    pub fn template(&self, which: Template) -> &str {
        let custom = match which {
            Template::Quotation => &self.quotation,
            Template::HumanAttention => &self.human_attention,
            Template::QuotationFailed => &self.quotation_failed,
        };
        if let Some(text) = custom {
            return text;
        }
        match (self.language, which) {
            (Language::Es, Template::Quotation) => ES_QUOTATION,
            (Language::Es, Template::HumanAttention) => ES_HUMAN,
            (Language::Es, Template::QuotationFailed) => ES_FAILED,
            (Language::En, Template::Quotation) => EN_QUOTATION,
            (Language::En, Template::HumanAttention) => EN_HUMAN,
            (Language::En, Template::QuotationFailed) => EN_FAILED,
        }
    }

    /// Renders `which` with `values`.
    pub fn render(&self, which: Template, values: &Values) -> String {
        render(self.template(which), values)
    }
}

/// Who a hand-off went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// The salesperson's own number.
    Salesperson,
    /// `messages.fallback_recipient`: the salesperson had no usable number.
    Fallback,
}

/// A message handed to the provider.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Sent {
    /// The provider's message id.
    pub message_id: String,
    /// `whatsapp` or `sms`.
    pub channel: &'static str,
    /// Who it went to (numbers are not shown: the agent talks to customers).
    pub recipient: Recipient,
}

impl MessageSettings {
    /// The number to reach `salesperson` on: theirs, else the fallback recipient.
    ///
    /// # Errors
    ///
    /// [`ToolError::NotFound`] saying whom nobody could be reached for.
    pub fn recipient(
        &self,
        salesperson: Option<&Salesperson>,
        country_code: &str,
    ) -> Result<(String, Recipient), ToolError> {
        if let Some(number) = salesperson.and_then(|s| s.phone.clone()) {
            return Ok((number, Recipient::Salesperson));
        }
        if let Some(number) = self
            .fallback_recipient
            .as_deref()
            .and_then(|n| validate::e164(n, country_code))
        {
            return Ok((number, Recipient::Fallback));
        }
        Err(ToolError::not_found(match salesperson {
            Some(s) => format!(
                "salesperson {} (ID {}) has no usable phone or mobile in Odoo, and no messages.fallback_recipient is set",
                s.name, s.id
            ),
            None => {
                "no salesperson could be assigned, and no messages.fallback_recipient is set".into()
            }
        }))
    }

    /// Sends `body` to the salesperson (or the fallback recipient).
    ///
    /// # Errors
    ///
    /// As [`recipient`](Self::recipient), or what the host's messaging refused.
    pub fn send_to_salesperson(
        &self,
        ctx: &Context,
        salesperson: Option<&Salesperson>,
        country_code: &str,
        body: &str,
    ) -> Result<Sent, ToolError> {
        let (to, recipient) = self.recipient(salesperson, country_code)?;
        let message_id = ctx.messaging().send(self.channel, &to, body)?;
        let channel = match self.channel {
            Channel::Whatsapp => "whatsapp",
            Channel::Sms => "sms",
        };
        Ok(Sent {
            message_id,
            channel,
            recipient,
        })
    }
}

/// Placeholder values; `None` renders as `N/A`.
pub type Values = BTreeMap<&'static str, Option<String>>;

/// Replaces `{name}` with its value (`N/A` when unknown or empty); other braces stay.
pub fn render(template: &str, values: &Values) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let key = after.find('}').map(|close| &after[..close]);
        match key.and_then(|k| values.get_key_value(k)) {
            Some((k, value)) => {
                let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty());
                out.push_str(value.unwrap_or("N/A"));
                rest = &after[k.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
}

/// An amount as `$1,234,567.50`.
pub fn money(amount: f64) -> String {
    let cents = (amount * 100.0).round() as i64;
    let (sign, cents) = if cents < 0 {
        ("-", -cents)
    } else {
        ("", cents)
    };
    let units = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}${grouped}.{:02}", cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_render_with_na_for_unknown_values() {
        let mut values = Values::new();
        values.insert("customer_name", Some("Ana".into()));
        values.insert("reason", None);
        values.insert("context", Some("  ".into()));
        assert_eq!(
            render("{customer_name}: {reason} / {context} {other} {", &values),
            "Ana: N/A / N/A {other} {"
        );
    }

    #[test]
    fn custom_templates_replace_built_in_ones() {
        let settings: MessageSettings = serde_json::from_value(
            serde_json::json!({"language": "en", "quotation": "Q {order_name}"}),
        )
        .unwrap();
        assert_eq!(settings.template(Template::Quotation), "Q {order_name}");
        assert!(
            settings
                .template(Template::HumanAttention)
                .starts_with("A customer asks")
        );
        let es = MessageSettings::default();
        assert!(
            es.template(Template::HumanAttention)
                .starts_with("Se solicita atención humana")
        );
        assert_eq!(es.channel, Channel::Whatsapp);
        let err = serde_json::from_value::<MessageSettings>(serde_json::json!({"lang": "es"}));
        assert!(err.is_err());
    }

    #[test]
    fn the_fallback_recipient_stands_in_for_a_missing_number() {
        let s = Salesperson {
            id: 8,
            name: "Carlos".into(),
            open_opportunities: None,
            phone: None,
        };
        let settings = MessageSettings::default();
        let err = settings.recipient(Some(&s), "+52").unwrap_err();
        assert_eq!(
            err,
            ToolError::not_found(
                "salesperson Carlos (ID 8) has no usable phone or mobile in Odoo, and no messages.fallback_recipient is set"
            )
        );
        let settings = MessageSettings {
            fallback_recipient: Some("55 0000 1111".into()),
            ..settings
        };
        assert_eq!(
            settings.recipient(Some(&s), "+52").unwrap(),
            ("+525500001111".into(), Recipient::Fallback)
        );
        let with_phone = Salesperson {
            phone: Some("+525512345601".into()),
            ..s
        };
        assert_eq!(
            settings.recipient(Some(&with_phone), "+52").unwrap().1,
            Recipient::Salesperson
        );
    }

    #[test]
    fn money_is_grouped() {
        assert_eq!(money(1_234_567.5), "$1,234,567.50");
        assert_eq!(money(0.0), "$0.00");
        assert_eq!(money(999.999), "$1,000.00");
    }
}
