//! The offline agent's quotation flow: collect the details, call the quotation tool,
//! and, when the tool only queues the work (the crm plugin answers with a
//! `tracking_id`), poll the status tool until the quotation exists or failed. The
//! agent never claims a quotation it has not seen completed (the seed did).

use std::time::Duration;

use serde_json::{Value, json};

use super::agent::{Action, Agent, Lang};
use super::extract::{first_product, reference};

/// Pause between status polls.
const POLL_EVERY: Duration = Duration::from_millis(1500);
/// Polls before the agent stops waiting (about 45 s).
const MAX_POLLS: u32 = 30;

impl Agent {
    pub(super) fn next_quote_step(&mut self) -> Vec<Action> {
        let s = &self.slots;
        let missing: Vec<String> = [
            (s.name.is_none(), self.t("tu nombre", "your name")),
            (s.email.is_none(), self.t("tu correo", "your email")),
            (
                s.phone.is_none(),
                self.t("tu teléfono", "your phone number"),
            ),
            (
                s.product.is_none(),
                self.t("el robot que te interesa", "which robot you want"),
            ),
            (
                s.qty.is_none(),
                self.t("cuántas unidades", "how many units"),
            ),
        ]
        .into_iter()
        .filter_map(|(m, what)| m.then_some(what))
        .collect();
        if !missing.is_empty() {
            let list = missing.join(", ");
            // What was understood is read back, so a misheard product or quantity
            // can be corrected before anything is created.
            let order = match (&s.product, s.qty) {
                (Some(p), Some(q)) => format!(": {q} × {}", p.name),
                (Some(p), None) => format!(": {}", p.name),
                _ => String::new(),
            };
            return vec![Action::Say(match self.lang {
                Lang::Es => format!("Con gusto preparo tu cotización{order}. Me falta {list}."),
                Lang::En => format!("Happy to prepare your quotation{order}. I still need {list}."),
            })];
        }
        let (Some(name), Some(email), Some(phone), Some(product), Some(qty)) =
            (&s.name, &s.email, &s.phone, &s.product, s.qty)
        else {
            return Vec::new();
        };
        let company = s.company.clone().unwrap_or_else(|| name.clone());
        let args = json!({
            "partner_name": company, "contact_name": name, "email": email, "phone": phone,
            "lead_name": company,
            "products": [{ "product_id": product.id, "qty": qty }],
            "description": format!("Cotización pedida al avatar web: {qty} x {}", product.name),
        });
        vec![
            Action::Say(self.t(
                "Perfecto, registro tu cotización ahora mismo.",
                "Great, I'm creating your quotation now.",
            )),
            Action::Call {
                tool: self.quotation_tool.clone(),
                args,
            },
        ]
    }

    /// The agent's turn after a tool answered (`Err`: the error text or a timeout).
    pub fn on_tool_result(&mut self, tool: &str, result: Result<&str, &str>) -> Vec<Action> {
        if Some(tool) == self.product_tool.as_deref() {
            let Some(asked) = self.asked.take() else {
                return Vec::new();
            };
            let found = result.ok().and_then(|r| first_product(r, &asked.name));
            let product = found.unwrap_or(asked);
            self.slots.product = Some(product.clone());
            return vec![Action::Say(self.describe(&product))];
        }
        if Some(tool) == self.status_tool.as_deref() && self.tracking.is_some() {
            return self.on_status(result);
        }
        match result {
            Ok(answer) => self.on_created(answer),
            Err(e) => self.failed(e),
        }
    }

    fn on_created(&mut self, answer: &str) -> Vec<Action> {
        let v: Value = serde_json::from_str(answer).unwrap_or_default();
        let queued = matches!(v["status"].as_str(), Some("queued" | "processing"));
        match (v["tracking_id"].as_str(), &self.status_tool) {
            (Some(id), Some(status_tool)) if queued => {
                self.tracking = Some((id.to_owned(), 0));
                vec![
                    Action::Say(self.t(
                        "Estoy creando tu cotización en el sistema; dame unos segundos.",
                        "I'm creating your quotation in the system; give me a few seconds.",
                    )),
                    Action::CallLater {
                        tool: status_tool.clone(),
                        args: json!({ "tracking_id": id }),
                        after: POLL_EVERY,
                    },
                ]
            }
            _ => self.done(reference(answer)),
        }
    }

    fn on_status(&mut self, result: Result<&str, &str>) -> Vec<Action> {
        let Some((id, polls)) = self.tracking.take() else {
            return Vec::new();
        };
        let answer = match result {
            Ok(a) => a,
            Err(e) => return self.failed(e),
        };
        let v: Value = serde_json::from_str(answer).unwrap_or_default();
        match v["status"].as_str() {
            Some("completed") => {
                let order = v["result"]["sale_order_name"].as_str().map(str::to_owned);
                self.done(order.or(Some(id)))
            }
            Some("failed") => self.failed(v["error"].as_str().unwrap_or("unknown error")),
            _ if polls + 1 >= MAX_POLLS => {
                self.quoting = false;
                vec![Action::Say(self.t(
                    "Tu cotización sigue en proceso; un asesor te la enviará en cuanto esté lista.",
                    "Your quotation is still being processed; an advisor will send it as soon as it is ready.",
                ))]
            }
            _ => {
                let tool = self.status_tool.clone().unwrap_or_default();
                self.tracking = Some((id.clone(), polls + 1));
                vec![Action::CallLater {
                    tool,
                    args: json!({ "tracking_id": id }),
                    after: POLL_EVERY,
                }]
            }
        }
    }

    fn done(&mut self, reference: Option<String>) -> Vec<Action> {
        self.quoting = false;
        let reference = reference.map(|r| format!(" ({r})")).unwrap_or_default();
        let s = std::mem::take(&mut self.slots);
        let (name, email) = (s.name.unwrap_or_default(), s.email.unwrap_or_default());
        vec![Action::Say(match self.lang {
            Lang::Es => format!(
                "¡Listo, {name}! Tu cotización quedó registrada{reference}. Un asesor te escribirá a {email}."
            ),
            Lang::En => format!(
                "Done, {name}! Your quotation is registered{reference}. An advisor will write to {email}."
            ),
        })]
    }

    fn failed(&mut self, e: &str) -> Vec<Action> {
        match e.split(':').next().unwrap_or_default().trim() {
            "email" => self.slots.email = None,
            "phone" => self.slots.phone = None,
            _ => {}
        }
        let short: String = e.chars().take(160).collect();
        vec![Action::Say(match self.lang {
            Lang::Es => {
                format!("No pude crear la cotización: {short}. ¿Me ayudas a revisar los datos?")
            }
            Lang::En => {
                format!("I couldn't create the quotation: {short}. Could you check the details?")
            }
        })]
    }
}
