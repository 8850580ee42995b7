//! `dev_create_quotation`'s arguments (the seed's names and defaults, which agents are
//! configured with) and their validation into the job's input.
//!
//! Everything that can be checked without Odoo is checked here, before the job is
//! queued, so the agent hears about a bad email or quantity while the customer is still
//! on the line. Product ids are checked by the job's first call, before it writes.

use daniel_plugin_sdk::prelude::*;
use plugin_kit::pricing::LineRequest;
use plugin_kit::validate;

use crate::settings::{InvalidEmail, Settings};

/// Lines one quotation may have.
const MAX_LINES: usize = 50;
/// Longest call summary stored on the lead.
const MAX_DESCRIPTION_CHARS: usize = 5000;

#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct QuotationArgs {
    /// The customer's company; stored on the opportunity.
    partner_name: String,
    /// The person asking; a new customer record is named after them.
    contact_name: String,
    /// The customer's email; an existing customer with this address is reused.
    email: String,
    /// The customer's phone (E.164, e.g. +525512345678; the country code is added when
    /// missing).
    phone: String,
    /// Opportunity title; the configured prefix ("Servibot - ") is added when missing.
    lead_name: String,
    /// City.
    #[serde(default)]
    ciudad: Option<String>,
    /// Salesperson (`res.users` id); 0 assigns the least-loaded member of the sales team.
    #[serde(default)]
    user_id: i64,
    /// Legacy single product id (use `products`); 0 for none.
    #[serde(default)]
    product_id: i64,
    /// Legacy single product quantity.
    #[serde(default = "one")]
    product_qty: f64,
    /// Legacy single product price; -1 for the automatic price.
    #[serde(default = "automatic")]
    product_price: f64,
    /// The products: `[{product_id, qty, price}]`. Look ids up with `find_products`.
    #[serde(default)]
    products: Option<Vec<ProductArg>>,
    /// A short summary of the conversation (intent, robot, quantity, context).
    #[serde(default)]
    description: Option<String>,
    /// The opportunity's main product id; the first product when omitted.
    #[serde(default)]
    x_studio_producto: Option<i64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct ProductArg {
    /// `product.product` id.
    product_id: i64,
    /// Quantity, > 0.
    #[serde(default = "one")]
    qty: f64,
    /// Unit price. Omit it (or send -1) for the pricelist price, else the list price;
    /// 0 makes the line free.
    #[serde(default)]
    price: Option<f64>,
}

fn one() -> f64 {
    1.0
}

fn automatic() -> f64 {
    -1.0
}

/// The job's input: validated, normalized arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct QuotationInput {
    pub(crate) partner_name: String,
    pub(crate) contact_name: String,
    /// Normalized; the fallback address when the policy replaced an invalid one.
    pub(crate) email: String,
    /// False when `email` is the fallback: never match customers by it.
    pub(crate) email_valid: bool,
    /// As the customer gave it, for the salesperson's message.
    pub(crate) email_given: String,
    pub(crate) phone: String,
    pub(crate) lead_name: String,
    pub(crate) city: Option<String>,
    /// `None`: least-loaded salesperson.
    pub(crate) user_id: Option<i64>,
    pub(crate) lines: Vec<Line>,
    pub(crate) description: Option<String>,
    pub(crate) main_product: Option<i64>,
}

/// One requested line; `price: None` means the automatic price.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Line {
    pub(crate) product_id: i64,
    pub(crate) qty: f64,
    pub(crate) price: Option<f64>,
}

impl From<Line> for LineRequest {
    fn from(l: Line) -> Self {
        LineRequest {
            product_id: l.product_id,
            qty: l.qty,
            price: l.price,
        }
    }
}

/// A price argument: negative (the seed's -1) or absent means automatic.
fn price(field: &str, price: Option<f64>) -> Result<Option<f64>, ToolError> {
    match price {
        Some(p) if p.is_finite() && p < 0.0 => Ok(None),
        Some(p) => validate::price(field, p).map(Some),
        None => Ok(None),
    }
}

/// Checks `products` (`products[i].field` in messages) into lines, at most [`MAX_LINES`].
///
/// # Errors
///
/// [`ToolError::InvalidInput`] naming the first bad item.
pub(crate) fn product_lines(products: &[ProductArg]) -> Result<Vec<Line>, ToolError> {
    if products.len() > MAX_LINES {
        return Err(ToolError::invalid_input(format!(
            "products: at most {MAX_LINES} lines per quotation, got {}",
            products.len()
        )));
    }
    products
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Ok(Line {
                product_id: validate::id(&format!("products[{i}].product_id"), p.product_id)?,
                qty: validate::quantity(&format!("products[{i}].qty"), p.qty)?,
                price: price(&format!("products[{i}].price"), p.price)?,
            })
        })
        .collect()
}

fn lines(args: &QuotationArgs) -> Result<Vec<Line>, ToolError> {
    match &args.products {
        Some(products) if !products.is_empty() => product_lines(products),
        _ if args.product_id > 0 => Ok(vec![Line {
            product_id: args.product_id,
            qty: validate::quantity("product_qty", args.product_qty)?,
            price: price("product_price", Some(args.product_price))?,
        }]),
        _ => Err(ToolError::invalid_input(
            "products: give at least one {product_id, qty} (find_products looks ids up)",
        )),
    }
}

fn email(raw: &str, settings: &Settings) -> Result<(String, bool), ToolError> {
    match (validate::email("email", raw), settings.invalid_email) {
        (Ok(email), _) => Ok((email, true)),
        (Err(err), InvalidEmail::Reject) => Err(err),
        (Err(_), InvalidEmail::Fallback) => Ok((settings.invalid_email_fallback.clone(), false)),
    }
}

impl QuotationArgs {
    /// Checks and normalizes the arguments.
    ///
    /// # Errors
    ///
    /// [`ToolError::InvalidInput`] naming the first argument that is wrong.
    pub(crate) fn validate(self, settings: &Settings) -> Result<QuotationInput, ToolError> {
        let lines = lines(&self)?;
        let (email, email_valid) = email(&self.email, settings)?;
        if self.user_id < 0 {
            return Err(ToolError::invalid_input(format!(
                "user_id: must be a salesperson's id, or 0 to assign one automatically; got {}",
                self.user_id
            )));
        }
        let description = validate::optional(self.description.as_deref());
        if description
            .as_ref()
            .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
        {
            return Err(ToolError::invalid_input(format!(
                "description: at most {MAX_DESCRIPTION_CHARS} characters; summarize the call"
            )));
        }
        let main_product = match self.x_studio_producto {
            Some(id) => Some(validate::id("x_studio_producto", id)?),
            None => lines.first().map(|l| l.product_id),
        };
        Ok(QuotationInput {
            partner_name: validate::required("partner_name", &self.partner_name)?,
            contact_name: validate::required("contact_name", &self.contact_name)?,
            email,
            email_valid,
            email_given: self.email.trim().to_owned(),
            phone: validate::phone("phone", &self.phone, &settings.phone_country_code)?,
            lead_name: settings.lead_name(&validate::required("lead_name", &self.lead_name)?),
            city: validate::optional(self.ciudad.as_deref()),
            user_id: (self.user_id > 0).then_some(self.user_id),
            lines,
            description,
            main_product,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: Value) -> QuotationArgs {
        let mut base = json!({
            "partner_name": "Hotel Sol", "contact_name": "Ana Ruiz", "email": "Ana.Ruiz@HotelSol.mx",
            "phone": "55 1234 5678", "lead_name": "Hotel Sol", "ciudad": "Cancún",
            "products": [{"product_id": 26153, "qty": 2, "price": -1}, {"product_id": 26170}]
        });
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        daniel_plugin_sdk::serde_json::from_value(base).unwrap()
    }

    fn error(extra: Value) -> String {
        args(extra)
            .validate(&Settings::default())
            .unwrap_err()
            .message()
            .to_owned()
    }

    #[test]
    fn valid_arguments_are_normalized() {
        let input = args(json!({})).validate(&Settings::default()).unwrap();
        assert_eq!(input.email, "ana.ruiz@hotelsol.mx");
        assert_eq!(input.phone, "+525512345678");
        assert_eq!(input.lead_name, "Servibot - Hotel Sol");
        assert_eq!(input.user_id, None);
        assert_eq!(input.main_product, Some(26153));
        assert_eq!(
            input.lines,
            [
                Line {
                    product_id: 26153,
                    qty: 2.0,
                    price: None
                },
                Line {
                    product_id: 26170,
                    qty: 1.0,
                    price: None
                }
            ]
        );
        let free = args(json!({"products": [{"product_id": 5, "price": 0}]}))
            .validate(&Settings::default())
            .unwrap();
        assert_eq!(free.lines[0].price, Some(0.0));
    }

    #[test]
    fn the_legacy_single_product_still_works() {
        let input = args(
            json!({"products": null, "product_id": 26150, "product_qty": 3, "product_price": 1000}),
        )
        .validate(&Settings::default())
        .unwrap();
        assert_eq!(
            input.lines,
            [Line {
                product_id: 26150,
                qty: 3.0,
                price: Some(1000.0)
            }]
        );
    }

    #[test]
    fn errors_name_the_argument() {
        assert_eq!(
            error(json!({"email": "ana@"})),
            "email: 'ana@' is not a valid address (expected name@domain.tld)"
        );
        assert!(
            error(json!({"phone": "12"})).starts_with("phone: '12' is not a valid phone number")
        );
        assert_eq!(
            error(json!({"products": [{"product_id": 1, "qty": 0}]})),
            "products[0].qty: must be greater than 0, got 0"
        );
        assert_eq!(
            error(json!({"products": [{"product_id": -4}]})),
            "products[0].product_id: must be a positive record id, got -4"
        );
        assert!(error(json!({"products": []})).starts_with("products: give at least one"));
        assert_eq!(
            error(json!({"contact_name": " "})),
            "contact_name: must not be empty"
        );
        assert!(error(json!({"user_id": -2})).starts_with("user_id: must be a salesperson's id"));
    }

    #[test]
    fn the_fallback_policy_keeps_invalid_emails_apart() {
        let settings = Settings {
            invalid_email: InvalidEmail::Fallback,
            ..Settings::default()
        };
        let input = args(json!({"email": "john.doe"}))
            .validate(&settings)
            .unwrap();
        assert_eq!(
            (input.email.as_str(), input.email_valid),
            ("invalid-email@company.example", false)
        );
        assert_eq!(input.email_given, "john.doe");
    }
}
