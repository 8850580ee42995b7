//! `[plugins.crm.settings]`: the business constants the seed system hard-coded. Every
//! default is the seed's value, so the plugin works with no settings at all.

use daniel_plugin_sdk::prelude::*;
use plugin_kit::messages::MessageSettings;

/// What to do with an email address that is not valid after normalization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum InvalidEmail {
    /// Refuse the quotation with an error naming the address, so the agent asks again.
    Reject,
    /// Store `invalid_email_fallback` on a new partner (never matched to an existing
    /// one, unlike the seed system, which merged every such customer into one partner).
    Fallback,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Settings {
    /// `crm.team` whose members share new opportunities ("Ventas servibot").
    pub(crate) sales_team_id: i64,
    /// `crm.stage` ids whose open opportunities count as a salesperson's load.
    pub(crate) pipeline_stage_ids: Vec<i64>,
    /// `crm.stage` a new opportunity starts in (and a converted lead moves to).
    pub(crate) conversion_stage_id: i64,
    /// `product.pricelist` whose fixed prices quotation lines use; also set on the order.
    pub(crate) pricelist_id: i64,
    /// Every lead name starts with this; added when the agent left it out.
    pub(crate) lead_name_prefix: String,
    /// Prefixed to phone numbers written without a country code.
    pub(crate) phone_country_code: String,
    /// `reject` (default) or `fallback`.
    pub(crate) invalid_email: InvalidEmail,
    /// The address stored under the `fallback` policy.
    pub(crate) invalid_email_fallback: String,
    /// The lead field holding the main product (an Odoo Studio field); skipped on
    /// instances that do not have it.
    pub(crate) main_product_field: String,
    /// Send the salesperson a WhatsApp message when a quotation is created.
    pub(crate) notify_salesperson: bool,
    /// Channel, language, templates and recipients of those messages.
    pub(crate) messages: MessageSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            sales_team_id: 14,
            pipeline_stage_ids: vec![1, 2, 10, 3],
            conversion_stage_id: 3,
            pricelist_id: 82,
            lead_name_prefix: "Servibot - ".into(),
            phone_country_code: "+52".into(),
            invalid_email: InvalidEmail::Reject,
            invalid_email_fallback: "invalid-email@company.example".into(),
            main_product_field: "x_studio_producto".into(),
            notify_salesperson: true,
            messages: MessageSettings::default(),
        }
    }
}

impl Settings {
    /// `name` with the configured prefix, added unless already there (any case).
    pub(crate) fn lead_name(&self, name: &str) -> String {
        let prefix = self.lead_name_prefix.trim();
        let name = name.trim();
        if prefix.is_empty() || name.to_lowercase().starts_with(&prefix.to_lowercase()) {
            name.to_owned()
        } else {
            format!("{} {name}", prefix)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_seed_constants_and_typos_are_refused() {
        let s: Settings = daniel_plugin_sdk::serde_json::from_value(json!({})).unwrap();
        assert_eq!(
            (s.sales_team_id, s.conversion_stage_id, s.pricelist_id),
            (14, 3, 82)
        );
        assert_eq!(s.pipeline_stage_ids, [1, 2, 10, 3]);
        assert_eq!(s.invalid_email, InvalidEmail::Reject);
        let typo = daniel_plugin_sdk::serde_json::from_value::<Settings>(json!({"sales_team": 3}));
        assert!(typo.is_err());
    }

    #[test]
    fn lead_names_get_the_prefix_once() {
        let s = Settings::default();
        assert_eq!(s.lead_name("Hotel Sol"), "Servibot - Hotel Sol");
        assert_eq!(s.lead_name("servibot - Hotel Sol"), "servibot - Hotel Sol");
        assert_eq!(s.lead_name("Servibot - Hotel Sol"), "Servibot - Hotel Sol");
    }
}
