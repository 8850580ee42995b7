//! Slot extraction for the offline agent: names, phones and quantities in free text,
//! and the fields it reads back from tool answers.

use serde_json::Value;

use super::agent::{Product, fold};

/// Up to three capitalised words after one of `cues` (case-insensitive cue match).
pub(super) fn after(words: &[&str], cues: &[&[&str]]) -> Option<String> {
    for cue in cues {
        for start in 0..words.len() {
            let matches = cue.iter().enumerate().all(|(i, c)| {
                words.get(start + i).is_some_and(|w| {
                    fold(w.trim_matches(|ch: char| !ch.is_alphanumeric() && ch != '\'')) == *c
                })
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
pub(super) fn phone(text: &str) -> Option<String> {
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
    ("un", 1),
    ("una", 1),
    ("uno", 1),
    ("one", 1),
    ("dos", 2),
    ("two", 2),
    ("tres", 3),
    ("three", 3),
    ("cuatro", 4),
    ("four", 4),
    ("cinco", 5),
    ("five", 5),
    ("seis", 6),
    ("six", 6),
    ("diez", 10),
    ("ten", 10),
];

/// A quantity: a small number (or number word) followed by a unit or product word.
pub(super) fn quantity(words: &[&str], folded: &str) -> Option<u32> {
    let units = [
        "unidad", "unidades", "units", "unit", "robots", "robot", "piezas", "x",
    ];
    let fw: Vec<String> = folded
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
        .collect();
    for (i, w) in fw.iter().enumerate() {
        let n = w
            .parse::<u32>()
            .ok()
            .or_else(|| NUMBER_WORDS.iter().find(|(k, _)| k == w).map(|(_, v)| *v));
        let Some(n) = n.filter(|n| (1..=1000).contains(n)) else {
            continue;
        };
        let next = fw.get(i + 1).map(String::as_str).unwrap_or_default();
        let next_is_product = words
            .get(i + 1)
            .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase));
        if units.contains(&next) || next_is_product {
            return Some(n);
        }
    }
    None
}

/// A message that is only a number ("2", "dos", "two units"): the answer to
/// "how many?".
pub(super) fn lone_number(folded: &str) -> Option<u32> {
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let (n, rest) = words.split_first()?;
    let units = [
        "unidad", "unidades", "units", "unit", "robots", "robot", "piezas",
    ];
    if rest.len() > 1 || rest.first().is_some_and(|w| !units.contains(w)) {
        return None;
    }
    n.parse::<u32>()
        .ok()
        .or_else(|| NUMBER_WORDS.iter().find(|(k, _)| k == n).map(|(_, v)| *v))
        .filter(|n| (1..=1000).contains(n))
}

/// The best product in a `find_products` answer (`{"items": [...]}` or a list).
pub(super) fn first_product(answer: &str, name: &str) -> Option<Product> {
    let v: Value = serde_json::from_str(answer).ok()?;
    let items = v
        .get("items")
        .and_then(Value::as_array)
        .or_else(|| v.as_array())?;
    let pick = items
        .iter()
        .find(|i| i.get("name").and_then(Value::as_str) == Some(name))
        .or(items.first())?;
    Some(Product {
        id: pick.get("id")?.as_i64()?,
        name: pick.get("name")?.as_str()?.to_owned(),
        price: pick
            .get("price")
            .or(pick.get("list_price"))
            .and_then(Value::as_f64)
            .unwrap_or(0.0),
        description: pick
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// A reference to read back from a quotation tool's answer.
pub(super) fn reference(answer: &str) -> Option<String> {
    let v: Value = serde_json::from_str(answer).ok()?;
    ["sale_order_name", "tracking_id", "job_id", "name", "id"]
        .iter()
        .find_map(|k| match v.get(*k)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
}
