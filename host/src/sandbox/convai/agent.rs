//! The offline agent's brain: a rules-based sales assistant in Spanish and English.
//!
//! Keyword matching, not language understanding: it greets, lists and prices products
//! (asking the real catalogue tool first, the seed catalogue when that fails), and
//! collects name, email, phone, product and quantity for a quotation, which it
//! creates through the configured tool. Pure logic: the conversation loop turns its
//! [`Action`]s into ConvAI events.

use serde_json::{Value, json};

/// What the agent does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Say(String),
    /// Issue a `client_tool_call`.
    Call { tool: String, args: Value },
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
                description: p.get("description_sale").and_then(Value::as_str).map(str::to_owned),
            })
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Es,
    En,
}

/// What the customer has told so far.
#[derive(Debug, Default, Clone)]
struct Slots {
    name: Option<String>,
    company: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    product: Option<Product>,
    qty: Option<u32>,
}

/// One conversation's agent.
pub struct Agent {
    lang: Lang,
    catalogue: Vec<Product>,
    quotation_tool: String,
    product_tool: Option<String>,
    slots: Slots,
    /// The customer asked for a quotation: keep collecting until it is created.
    quoting: bool,
    /// The product asked about while the catalogue tool runs.
    asked: Option<Product>,
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
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("${out}")
}

impl Agent {
    /// An agent speaking `language` (`es` unless `en`).
    pub fn new(language: &str, catalogue: Vec<Product>, quotation_tool: &str, product_tool: Option<&str>) -> Agent {
        Agent {
            lang: if language == "en" { Lang::En } else { Lang::Es },
            catalogue,
            quotation_tool: quotation_tool.to_owned(),
            product_tool: product_tool.map(str::to_owned),
            slots: Slots::default(),
            quoting: false,
            asked: None,
        }
    }

    fn t(&self, es: &str, en: &str) -> String {
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

    /// Answer to a voice turn the offline agent cannot transcribe.
    pub fn on_audio(&self, secs: f32) -> Vec<Action> {
        vec![Action::Say(match self.lang {
            Lang::Es => format!("Te escuché {secs:.1} segundos, pero sin conexión no puedo transcribir la voz. Escríbeme tu pregunta, por favor."),
            Lang::En => format!("I heard {secs:.1} seconds of speech, but offline I cannot transcribe it. Please type your question."),
        })]
    }

    /// The agent's turn after the user said `text`.
    pub fn on_user(&mut self, text: &str) -> Vec<Action> {
        let f = fold(text);
        if has_any(&f, &["hello", "hi ", "price", "how much", "quote", "my name", "i want", "i need", "please"]) {
            self.lang = Lang::En;
        } else if has_any(&f, &["hola", "precio", "cuanto", "cotiza", "quiero", "necesito", "me llamo", "gracias"]) {
            self.lang = Lang::Es;
        }
        self.extract(text, &f);
        if has_any(&f, &["cotiza", "comprar", "quote", "quotation", "buy", "order", "pedido"]) {
            self.quoting = true;
        }
        if self.quoting || self.slots.email.is_some() {
            self.quoting = true;
            return self.next_quote_step();
        }
        let product = self.find_product(&f);
        if let Some(p) = product {
            return self.price_of(p);
        }
        if has_any(&f, &["catalog", "producto", "product", "robot", "venden", "sell", "ofrecen"]) {
            return vec![Action::Say(self.list())];
        }
        if has_any(&f, &["hola", "buenas", "hello", "hi", "hey"]) {
            return vec![Action::Say(self.greeting())];
        }
        if has_any(&f, &["gracias", "thank", "adios", "bye"]) {
            return vec![Action::Say(self.t("¡Con gusto! Aquí estoy si necesitas algo más.", "You're welcome! I'm here if you need anything else."))];
        }
        vec![Action::Say(self.t(
            "No te entendí bien. Puedo darte el precio de un robot, como KettyBot o BellaBot, o prepararte una cotización.",
            "I didn't quite get that. I can tell you the price of a robot, like KettyBot or BellaBot, or prepare a quotation.",
        ))]
    }

    fn list(&self) -> String {
        let names: Vec<&str> = self.catalogue.iter().filter(|p| p.name.contains("Bot") || p.name.starts_with("CC1")).take(6).map(|p| p.name.as_str()).collect();
        match self.lang {
            Lang::Es => format!("Tenemos robots como {}. ¿De cuál quieres saber el precio?", names.join(", ")),
            Lang::En => format!("We have robots such as {}. Which one would you like a price for?", names.join(", ")),
        }
    }

    fn price_of(&mut self, p: Product) -> Vec<Action> {
        if let Some(tool) = &self.product_tool {
            self.asked = Some(p.clone());
            return vec![Action::Call { tool: tool.clone(), args: json!({ "query": p.name, "limit": 5 }) }];
        }
        vec![Action::Say(self.describe(&p))]
    }

    fn describe(&self, p: &Product) -> String {
        let desc = p.description.as_deref().map(|d| format!(" {d}")).unwrap_or_default();
        match self.lang {
            Lang::Es => format!("El {} cuesta {} pesos más IVA.{desc} ¿Quieres que te prepare una cotización?", p.name, money(p.price)),
            Lang::En => format!("The {} costs {} pesos plus VAT.{desc} Shall I prepare a quotation?", p.name, money(p.price)),
        }
    }

    /// Longest catalogue name contained in the folded text.
    fn find_product(&self, folded: &str) -> Option<Product> {
        self.catalogue.iter().filter(|p| folded.contains(&fold(&p.name))).max_by_key(|p| p.name.len()).cloned()
    }

    fn next_quote_step(&mut self) -> Vec<Action> {
        let s = &self.slots;
        let missing: Vec<String> = [
            (s.name.is_none(), self.t("tu nombre", "your name")),
            (s.email.is_none(), self.t("tu correo", "your email")),
            (s.phone.is_none(), self.t("tu teléfono", "your phone number")),
            (s.product.is_none(), self.t("el robot que te interesa", "which robot you want")),
            (s.qty.is_none(), self.t("cuántas unidades", "how many units")),
        ]
        .into_iter()
        .filter_map(|(m, what)| m.then_some(what))
        .collect();
        if !missing.is_empty() {
            let list = missing.join(", ");
            return vec![Action::Say(match self.lang {
                Lang::Es => format!("Con gusto preparo tu cotización. Me falta {list}."),
                Lang::En => format!("Happy to prepare your quotation. I still need {list}."),
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
            Action::Say(self.t("Perfecto, registro tu cotización ahora mismo.", "Great, I'm creating your quotation now.")),
            Action::Call { tool: self.quotation_tool.clone(), args },
        ]
    }

    /// The agent's turn after a tool answered (`Err`: the error text or a timeout).
    pub fn on_tool_result(&mut self, tool: &str, result: Result<&str, &str>) -> Vec<Action> {
        if Some(tool) == self.product_tool.as_deref() {
            let Some(asked) = self.asked.take() else { return Vec::new() };
            let found = result.ok().and_then(|r| first_product(r, &asked.name));
            let product = found.unwrap_or(asked);
            self.slots.product = Some(product.clone());
            return vec![Action::Say(self.describe(&product))];
        }
        match result {
            Ok(answer) => {
                self.quoting = false;
                let reference = reference(answer).map(|r| format!(" ({r})")).unwrap_or_default();
                let s = std::mem::take(&mut self.slots);
                let (name, email) = (s.name.unwrap_or_default(), s.email.unwrap_or_default());
                vec![Action::Say(match self.lang {
                    Lang::Es => format!("¡Listo, {name}! Tu cotización quedó registrada{reference}. Un asesor te escribirá a {email}."),
                    Lang::En => format!("Done, {name}! Your quotation is registered{reference}. An advisor will write to {email}."),
                })]
            }
            Err(e) => {
                let field = e.split(':').next().unwrap_or_default().trim();
                match field {
                    "email" => self.slots.email = None,
                    "phone" => self.slots.phone = None,
                    _ => {}
                }
                let short: String = e.chars().take(160).collect();
                vec![Action::Say(match self.lang {
                    Lang::Es => format!("No pude crear la cotización: {short}. ¿Me ayudas a revisar los datos?"),
                    Lang::En => format!("I couldn't create the quotation: {short}. Could you check the details?"),
                })]
            }
        }
    }

    fn extract(&mut self, text: &str, folded: &str) {
        let words: Vec<&str> = text.split_whitespace().collect();
        if let Some(email) = words.iter().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '@' && c != '.' && c != '_' && c != '-' && c != '+')).find(|w| {
            w.contains('@') && w.rsplit('@').next().is_some_and(|d| d.contains('.'))
        }) {
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
        if let Some(n) = after(&words, &[&["me", "llamo"], &["mi", "nombre", "es"], &["my", "name", "is"], &["soy"], &["i'm"], &["i", "am"]]) {
            self.slots.name = Some(n);
        }
        if let Some(c) = after(&words, &[&["empresa"], &["company"], &["compañía"], &["from"], &["trabajo", "en"], &["work", "at"]]) {
            self.slots.company = Some(c);
        }
    }
}

/// Up to three capitalised words after one of `cues` (case-insensitive cue match).
fn after(words: &[&str], cues: &[&[&str]]) -> Option<String> {
    for cue in cues {
        for start in 0..words.len() {
            let matches = cue.iter().enumerate().all(|(i, c)| {
                words.get(start + i).is_some_and(|w| fold(w.trim_matches(|ch: char| !ch.is_alphanumeric() && ch != '\'')) == *c)
            });
            if !matches {
                continue;
            }
            let name: Vec<&str> = words[start + cue.len()..]
                .iter()
                .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
                .take_while(|w| w.chars().next().is_some_and(char::is_uppercase))
                .take(3)
                .collect();
            if !name.is_empty() {
                return Some(name.join(" "));
            }
        }
    }
    None
}

/// A run of at least 8 digits (spaces, dashes and a leading + allowed).
fn phone(text: &str) -> Option<String> {
    let mut best = String::new();
    let mut cur = String::new();
    for c in text.chars().chain(std::iter::once('x')) {
        if c.is_ascii_digit() || (c == '+' && cur.is_empty()) {
            cur.push(c);
        } else if matches!(c, ' ' | '-' | '(' | ')' | '.') && !cur.is_empty() {
            continue;
        } else {
            if cur.chars().filter(char::is_ascii_digit).count() >= 8 && cur.len() > best.len() {
                best = cur.clone();
            }
            cur.clear();
        }
    }
    (!best.is_empty()).then_some(best)
}

const NUMBER_WORDS: &[(&str, u32)] = &[
    ("un", 1), ("una", 1), ("uno", 1), ("one", 1), ("dos", 2), ("two", 2), ("tres", 3), ("three", 3),
    ("cuatro", 4), ("four", 4), ("cinco", 5), ("five", 5), ("seis", 6), ("six", 6), ("diez", 10), ("ten", 10),
];

/// A quantity: a small number (or number word) followed by a unit or product word.
fn quantity(words: &[&str], folded: &str) -> Option<u32> {
    let units = ["unidad", "unidades", "units", "unit", "robots", "robot", "piezas", "x"];
    let fw: Vec<String> = folded.split_whitespace().map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned()).collect();
    for (i, w) in fw.iter().enumerate() {
        let n = w.parse::<u32>().ok().or_else(|| NUMBER_WORDS.iter().find(|(k, _)| k == w).map(|(_, v)| *v));
        let Some(n) = n.filter(|n| (1..=1000).contains(n)) else { continue };
        let next = fw.get(i + 1).map(String::as_str).unwrap_or_default();
        let next_is_product = words.get(i + 1).is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase));
        if units.contains(&next) || next_is_product {
            return Some(n);
        }
    }
    None
}

/// The best product in a `find_products` answer (`{"items": [...]}` or a list).
fn first_product(answer: &str, name: &str) -> Option<Product> {
    let v: Value = serde_json::from_str(answer).ok()?;
    let items = v.get("items").and_then(Value::as_array).or_else(|| v.as_array())?;
    let pick = items.iter().find(|i| i.get("name").and_then(Value::as_str) == Some(name)).or(items.first())?;
    Some(Product {
        id: pick.get("id")?.as_i64()?,
        name: pick.get("name")?.as_str()?.to_owned(),
        price: pick.get("price").or(pick.get("list_price")).and_then(Value::as_f64).unwrap_or(0.0),
        description: pick.get("description").and_then(Value::as_str).map(str::to_owned),
    })
}

/// A reference to read back from a quotation tool's answer.
fn reference(answer: &str) -> Option<String> {
    let v: Value = serde_json::from_str(answer).ok()?;
    ["sale_order_name", "tracking_id", "job_id", "name", "id"]
        .iter()
        .find_map(|k| match v.get(*k)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
}

#[cfg(test)]
#[path = "agent_tests.rs"]
mod tests;
