//! The offline agent's brain: a rules-based sales assistant in Spanish and English.
//!
//! Keyword matching, not language understanding: it greets, lists and prices products
//! (asking the real catalogue tool first, the seed catalogue when that fails), and
//! collects name, email, phone, product and quantity for a quotation, which it
//! creates through the configured tool. Pure logic: the conversation loop turns its
//! [`Action`]s into ConvAI events.

use serde_json::{Value, json};

use super::extract::{after, lone_number, phone, quantity};

/// What the agent does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Say(String),
    /// Issue a `client_tool_call`.
    Call {
        tool: String,
        args: Value,
    },
    /// Issue a `client_tool_call` after a pause (polling a job's status).
    CallLater {
        tool: String,
        args: Value,
        after: std::time::Duration,
    },
}

/// A catalogue product.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub price: f64,
    pub description: Option<String>,
}

/// The products of a seed file (`product.product`).
pub fn catalogue(seed_json: &str) -> Vec<Product> {
    let seed: Value = serde_json::from_str(seed_json).unwrap_or_default();
    let rows = seed.get("product.product").and_then(Value::as_array);
    rows.into_iter()
        .flatten()
        .filter_map(|p| {
            Some(Product {
                id: p.get("id")?.as_i64()?,
                name: p.get("name")?.as_str()?.to_owned(),
                price: p.get("list_price").and_then(Value::as_f64).unwrap_or(0.0),
                description: p
                    .get("description_sale")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            })
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    Es,
    En,
}

/// What the customer has told so far.
#[derive(Debug, Default, Clone)]
pub(super) struct Slots {
    pub(super) name: Option<String>,
    pub(super) company: Option<String>,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) product: Option<Product>,
    pub(super) qty: Option<u32>,
}

/// One conversation's agent.
pub struct Agent {
    pub(super) lang: Lang,
    pub(super) catalogue: Vec<Product>,
    pub(super) quotation_tool: String,
    pub(super) product_tool: Option<String>,
    pub(super) slots: Slots,
    /// The customer asked for a quotation: keep collecting until it is created.
    pub(super) quoting: bool,
    /// The product asked about while the catalogue tool runs.
    pub(super) asked: Option<Product>,
    /// Reports a queued quotation's outcome (`dev_get_quotation_status`).
    pub(super) status_tool: Option<String>,
    /// The queued quotation being followed, and how often it was polled.
    pub(super) tracking: Option<(String, u32)>,
}

/// Lower-case, without Spanish accents, for keyword matching.
pub(super) fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            c => c,
        })
        .collect()
}

fn has_any(folded: &str, words: &[&str]) -> bool {
    words.iter().any(|w| folded.contains(w))
}

fn money(v: f64) -> String {
    let whole = v.round() as i64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("${out}")
}

impl Agent {
    /// An agent speaking `language` (`es` unless `en`).
    pub fn new(
        language: &str,
        catalogue: Vec<Product>,
        quotation_tool: &str,
        product_tool: Option<&str>,
    ) -> Agent {
        Agent {
            lang: if language == "en" { Lang::En } else { Lang::Es },
            catalogue,
            quotation_tool: quotation_tool.to_owned(),
            product_tool: product_tool.map(str::to_owned),
            slots: Slots::default(),
            quoting: false,
            asked: None,
            status_tool: None,
            tracking: None,
        }
    }

    /// Follows queued quotations with `tool` until they complete or fail.
    pub fn with_status_tool(mut self, tool: Option<&str>) -> Agent {
        self.status_tool = tool.map(str::to_owned);
        self
    }

    pub(super) fn t(&self, es: &str, en: &str) -> String {
        match self.lang {
            Lang::Es => es.to_owned(),
            Lang::En => en.to_owned(),
        }
    }

    /// The first message.
    pub fn greeting(&self) -> String {
        self.t(
            "¡Hola! Soy el asistente de ventas de Servibot. Puedo darte precios de nuestros robots o prepararte una cotización. ¿Qué te interesa?",
            "Hi! I'm Servibot's sales assistant. I can give you prices for our robots or prepare a quotation. What are you looking for?",
        )
    }

    /// Answer to a spoken turn that was not understood: `heard` when the recognizer
    /// ran (and found nothing it knows), else there is no recognizer.
    pub fn on_unheard(&self, secs: f32, heard: bool) -> Vec<Action> {
        vec![Action::Say(match (self.lang, heard) {
            (Lang::Es, true) => format!(
                "No entendí esos {secs:.1} segundos. Sin conexión entiendo por voz solo inglés, por ejemplo «How much is the BellaBot?» o «I'd like a quote for two KettyBot Pro». Escríbeme lo demás, por favor."
            ),
            (Lang::En, true) => format!(
                "Sorry, I didn't catch those {secs:.1} seconds. Offline I understand prices, products and quantities by voice, for example \"How much is the BellaBot?\" or \"I'd like a quote for two KettyBot Pro\"; please type names, email and phone."
            ),
            (Lang::Es, false) => format!(
                "Te escuché {secs:.1} segundos, pero sin conexión no puedo transcribir la voz. Escríbeme tu pregunta, por favor."
            ),
            (Lang::En, false) => format!(
                "I heard {secs:.1} seconds of speech, but offline I cannot transcribe it. Please type your question."
            ),
        })]
    }

    /// The agent's turn after the user said `text` aloud (the offline recognizer
    /// hears English only, so the agent answers in English).
    pub fn on_spoken(&mut self, text: &str) -> Vec<Action> {
        self.lang = Lang::En;
        self.respond(text)
    }

    /// The agent's turn after the user typed `text`, in the language it is typed in.
    pub fn on_user(&mut self, text: &str) -> Vec<Action> {
        let f = fold(text);
        if has_any(
            &f,
            &[
                "hello", "hi ", "price", "how much", "quote", "my name", "i want", "i need",
                "please",
            ],
        ) {
            self.lang = Lang::En;
        } else if has_any(
            &f,
            &[
                "hola", "precio", "cuanto", "cotiza", "quiero", "necesito", "me llamo", "gracias",
            ],
        ) {
            self.lang = Lang::Es;
        }
        self.respond(text)
    }

    fn respond(&mut self, text: &str) -> Vec<Action> {
        let f = fold(text);
        self.extract(text, &f);
        if has_any(
            &f,
            &[
                "cotiza",
                "comprar",
                "quote",
                "quotation",
                "buy",
                "order",
                "pedido",
            ],
        ) {
            self.quoting = true;
        }
        // "Yes" to "Shall I prepare a quotation?" after a product's price.
        let yes = f
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| ["yes", "si", "sure", "okay", "ok", "claro", "dale"].contains(&w));
        if yes && self.slots.product.is_some() {
            self.quoting = true;
        }
        if self.quoting
            && self.slots.qty.is_none()
            && let Some(n) = lone_number(&f)
        {
            self.slots.qty = Some(n);
        }
        if self.quoting || self.slots.email.is_some() {
            self.quoting = true;
            return self.next_quote_step();
        }
        let product = self.find_product(&f);
        if let Some(p) = product {
            return self.price_of(p);
        }
        if has_any(
            &f,
            &[
                "catalog", "producto", "product", "robot", "venden", "sell", "ofrecen",
            ],
        ) {
            return vec![Action::Say(self.list())];
        }
        if has_any(&f, &["hola", "buenas", "hello", "hi", "hey"]) {
            return vec![Action::Say(self.greeting())];
        }
        if has_any(&f, &["gracias", "thank", "adios", "bye"]) {
            return vec![Action::Say(self.t(
                "¡Con gusto! Aquí estoy si necesitas algo más.",
                "You're welcome! I'm here if you need anything else.",
            ))];
        }
        vec![Action::Say(self.t(
            "No te entendí bien. Puedo darte el precio de un robot, como KettyBot o BellaBot, o prepararte una cotización.",
            "I didn't quite get that. I can tell you the price of a robot, like KettyBot or BellaBot, or prepare a quotation.",
        ))]
    }

    fn list(&self) -> String {
        let names: Vec<&str> = self
            .catalogue
            .iter()
            .filter(|p| p.name.contains("Bot") || p.name.starts_with("CC1"))
            .take(6)
            .map(|p| p.name.as_str())
            .collect();
        match self.lang {
            Lang::Es => format!(
                "Tenemos robots como {}. ¿De cuál quieres saber el precio?",
                names.join(", ")
            ),
            Lang::En => format!(
                "We have robots such as {}. Which one would you like a price for?",
                names.join(", ")
            ),
        }
    }

    fn price_of(&mut self, p: Product) -> Vec<Action> {
        if let Some(tool) = &self.product_tool {
            self.asked = Some(p.clone());
            return vec![Action::Call {
                tool: tool.clone(),
                args: json!({ "query": p.name, "limit": 5 }),
            }];
        }
        vec![Action::Say(self.describe(&p))]
    }

    pub(super) fn describe(&self, p: &Product) -> String {
        let desc = p
            .description
            .as_deref()
            .map(|d| format!(" {d}"))
            .unwrap_or_default();
        match self.lang {
            Lang::Es => format!(
                "El {} cuesta {} pesos más IVA.{desc} ¿Quieres que te prepare una cotización?",
                p.name,
                money(p.price)
            ),
            Lang::En => format!(
                "The {} costs {} pesos plus VAT.{desc} Shall I prepare a quotation?",
                p.name,
                money(p.price)
            ),
        }
    }

    /// Longest catalogue name contained in the folded text.
    fn find_product(&self, folded: &str) -> Option<Product> {
        self.catalogue
            .iter()
            .filter(|p| folded.contains(&fold(&p.name)))
            .max_by_key(|p| p.name.len())
            .cloned()
    }

    fn extract(&mut self, text: &str, folded: &str) {
        let words: Vec<&str> = text.split_whitespace().collect();
        if let Some(email) = words
            .iter()
            .map(|w| {
                w.trim_matches(|c: char| {
                    !c.is_alphanumeric() && c != '@' && c != '.' && c != '_' && c != '-' && c != '+'
                })
            })
            .find(|w| w.contains('@') && w.rsplit('@').next().is_some_and(|d| d.contains('.')))
        {
            self.slots.email = Some(email.trim_end_matches('.').to_owned());
        }
        if let Some(phone) = phone(text) {
            self.slots.phone = Some(phone);
        }
        if let Some(p) = self.find_product(folded) {
            self.slots.product = Some(p);
        }
        if let Some(q) = quantity(&words, folded) {
            self.slots.qty = Some(q);
        }
        if let Some(n) = after(
            &words,
            &[
                &["me", "llamo"],
                &["mi", "nombre", "es"],
                &["my", "name", "is"],
                &["soy"],
                &["i'm"],
                &["i", "am"],
            ],
        ) {
            self.slots.name = Some(n);
        }
        if let Some(c) = after(
            &words,
            &[
                &["empresa"],
                &["company"],
                &["compañía"],
                &["from"],
                &["trabajo", "en"],
                &["work", "at"],
            ],
        ) {
            self.slots.company = Some(c);
        }
    }
}

#[cfg(test)]
#[path = "agent_tests.rs"]
mod tests;
