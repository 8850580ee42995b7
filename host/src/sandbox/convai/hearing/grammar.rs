//! What the offline agent can hear: a JSGF grammar of what a customer says to a
//! sales assistant (prices, quotations, products and quantities, the catalogue, yes,
//! no, thanks), with the catalogue's product names spoken as words; and the way back from the recognizer's words to text the
//! agent reads ("two ketty bot pro" → "2 KettyBot Pro").

use std::collections::BTreeSet;

use super::super::agent::{Product, fold};

/// Number words the grammar accepts, with their values.
const NUMBERS: &[(&str, u32)] = &[
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];

/// Product names longer than this many spoken words are left out: long service
/// names in Spanish, which an English model would not hear anyway.
const MAX_NAME_WORDS: usize = 4;

/// The sentences, around `<product>` (filled from the catalogue).
const RULES: &str = "\
public <utterance> = [<greeting>] [<lead>] <request> [please] | <greeting> | <closing> | <answer>;
<greeting> = hello | hi | hey | good morning | good afternoon | good evening;
<lead> = i would like | i'd like | i want | i need | we need | we want | we would like | can i get | can i have | could i get | give me | please;
<request> = <price> | <quote> | <catalogue>;
<price> = how much (is | are | does | do) [<article>] <product> [cost | costs]
    | what (is | does) [<article>] <product> cost
    | [what is] the price (of | for) [<article>] <product>
    | tell me about [<article>] <product>;
<quote> = [to get] [<article>] (quotation | quote) [(for | of) <order>]
    | (to buy | to order) <order>
    | <order>
    | <count> (robots | units);
<order> = [<count>] [of] [the] <product> [robot | robots | units];
<article> = a | an | the;
<count> = one | two | three | four | five | six | seven | eight | nine | ten | eleven | twelve
    | thirteen | fourteen | fifteen | sixteen | seventeen | eighteen | nineteen | twenty
    | thirty | forty | fifty | sixty | seventy | eighty | ninety;
<catalogue> = what (robots | products) do you (have | sell | offer)
    | what do you sell
    | (show | tell) me [about] [the | your] (catalog | catalogue | products | robots);
<answer> = yes [please] | no [thanks | thank you] | sure | okay;
<closing> = thank you | thanks | bye | goodbye | that's all;
";

/// How a product's name is spoken: lower-case words, CamelCase split, short
/// capital runs spelled out, numbers as words (`"CC1 Pro"` → `c c one pro`).
pub(super) fn spoken_name(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for token in name.split_whitespace() {
        for part in split_parts(token) {
            if part.chars().all(|c| c.is_ascii_digit()) {
                words.extend(number_words(part.parse().unwrap_or(0)));
            } else if part.chars().all(|c| c.is_uppercase()) && part.chars().count() <= 3 {
                words.extend(part.chars().map(|c| c.to_lowercase().to_string()));
            } else {
                let w = plain(&part);
                if !w.is_empty() {
                    words.push(w);
                }
            }
        }
    }
    words
}

/// Splits a token at CamelCase, letter/digit and capital-run boundaries
/// (`KettyBot` → `Ketty`, `Bot`; `MT1` → `MT`, `1`; `T300` → `T`, `300`).
fn split_parts(token: &str) -> Vec<String> {
    let chars: Vec<char> = token.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let boundary = prev.is_some_and(|p| {
            (p.is_ascii_digit() != c.is_ascii_digit())
                || (p.is_lowercase() && c.is_uppercase())
                || (p.is_uppercase() && c.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
        });
        if boundary && !cur.is_empty() {
            parts.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    parts
}

/// Lower-case ASCII letters only (accents folded, `ñ` as `n`).
fn plain(word: &str) -> String {
    fold(word)
        .chars()
        .map(|c| if c == 'ñ' { 'n' } else { c })
        .filter(char::is_ascii_lowercase)
        .collect()
}

/// `n` (below 1000) as English words.
fn number_words(n: u32) -> Vec<String> {
    let word = |v: u32| {
        NUMBERS
            .iter()
            .find(|(_, x)| *x == v)
            .map_or_else(String::new, |(w, _)| (*w).to_owned())
    };
    let mut out = Vec::new();
    let (hundreds, rest) = (n / 100 % 10, n % 100);
    if hundreds > 0 {
        out.push(word(hundreds));
        out.push("hundred".to_owned());
    }
    if rest > 20 && rest % 10 != 0 {
        out.push(word(rest - rest % 10));
        out.push(word(rest % 10));
    } else if rest > 0 || out.is_empty() {
        out.push(word(rest));
    }
    out
}

/// A product the grammar can name: its catalogue name and its spoken words.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SpokenProduct {
    pub(super) name: String,
    pub(super) words: Vec<String>,
}

/// The catalogue's products that can be spoken (short enough, not blank).
pub(super) fn speakable(catalogue: &[Product]) -> Vec<SpokenProduct> {
    let mut seen = BTreeSet::new();
    catalogue
        .iter()
        .map(|p| SpokenProduct {
            name: p.name.clone(),
            words: spoken_name(&p.name),
        })
        .filter(|p| !p.words.is_empty() && p.words.len() <= MAX_NAME_WORDS)
        .filter(|p| seen.insert(p.words.clone()))
        .collect()
}

/// The JSGF grammar for `products`.
pub(super) fn jsgf(products: &[SpokenProduct]) -> String {
    let alternatives: Vec<String> = products.iter().map(|p| p.words.join(" ")).collect();
    format!(
        "#JSGF V1.0;\ngrammar sales;\n{RULES}<product> = {};\n",
        alternatives.join(" | ")
    )
}

/// Every word the grammar for `products` can produce (the dictionary must hold them all).
pub(super) fn vocabulary(products: &[SpokenProduct]) -> BTreeSet<String> {
    let mut words: BTreeSet<String> = products.iter().flat_map(|p| p.words.clone()).collect();
    for line in RULES.lines() {
        let body = line.split_once('=').map_or(line, |(_, b)| b);
        // Rule references (`<order>`) are names, not words.
        let mut text = String::new();
        let mut in_name = false;
        for c in body.chars() {
            match c {
                '<' => in_name = true,
                '>' => in_name = false,
                c if !in_name => text.push(c),
                _ => {}
            }
        }
        words.extend(
            text.split(|c: char| !(c.is_ascii_lowercase() || c == '\''))
                .filter(|w| !w.is_empty())
                .map(str::to_owned),
        );
    }
    words
}

/// The recognizer's words as the text a customer would have typed: product names as
/// in the catalogue, numbers as digits, "I" capitalised, the first letter upper-case.
pub(super) fn to_text(hypothesis: &str, products: &[SpokenProduct]) -> String {
    let words: Vec<&str> = hypothesis.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let product = products
            .iter()
            .filter(|p| {
                words.len() >= i + p.words.len()
                    && p.words.iter().zip(&words[i..]).all(|(a, b)| a == b)
            })
            .max_by_key(|p| p.words.len());
        if let Some(p) = product {
            out.push(p.name.clone());
            i += p.words.len();
            continue;
        }
        let w = words[i];
        out.push(match w {
            "i" => "I".to_owned(),
            "i'd" => "I'd".to_owned(),
            _ => NUMBERS
                .iter()
                .find(|(n, _)| *n == w)
                .map_or_else(|| w.to_owned(), |(_, v)| v.to_string()),
        });
        i += 1;
    }
    let text = out.join(" ");
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(name: &str) -> Product {
        Product {
            id: 1,
            name: name.into(),
            price: 1.0,
            description: None,
        }
    }

    #[test]
    fn product_names_are_spoken_as_words() {
        let cases = [
            ("KettyBot Pro", "ketty bot pro"),
            ("CC1 Pro", "c c one pro"),
            ("MT1 Vac", "m t one vac"),
            ("Pudu T300", "pudu t three hundred"),
            ("PuduBot 2", "pudu bot two"),
            ("Charola adicional", "charola adicional"),
            ("Envío 45", "envio forty five"),
        ];
        for (name, spoken) in cases {
            assert_eq!(spoken_name(name).join(" "), spoken, "{name}");
        }
    }

    #[test]
    fn long_names_are_left_out_of_the_grammar() {
        let catalogue = [
            product("BellaBot"),
            product("Póliza de garantía extendida 1 año"),
            product("   "),
        ];
        let names: Vec<String> = speakable(&catalogue).into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["BellaBot"]);
    }

    #[test]
    fn the_grammar_names_every_product_and_its_words_are_the_vocabulary() {
        let products = speakable(&[product("KettyBot Pro"), product("CC1")]);
        let g = jsgf(&products);
        assert!(g.starts_with("#JSGF V1.0;"));
        assert!(g.contains("<product> = ketty bot pro | c c one;"), "{g}");
        let vocabulary = vocabulary(&products);
        for w in ["ketty", "c", "quotation", "i'd", "that's", "hundred"] {
            assert_eq!(vocabulary.contains(w), w != "hundred", "{w}");
        }
        for rule_name in ["utterance", "request", "count", "article"] {
            assert!(!vocabulary.contains(rule_name), "{rule_name}");
        }
        // Words that are also rule names stay when sentences use them.
        assert!(vocabulary.contains("order") && vocabulary.contains("catalogue"));
    }

    #[test]
    fn recognized_words_become_the_text_a_customer_would_type() {
        let products = speakable(&[product("KettyBot"), product("KettyBot Pro"), product("CC1")]);
        let cases = [
            (
                "i would like a quotation for two ketty bot pro",
                "I would like a quotation for 2 KettyBot Pro",
            ),
            ("how much is the ketty bot", "How much is the KettyBot"),
            ("three c c one robots", "3 CC1 robots"),
            ("two units", "2 units"),
            ("", ""),
        ];
        for (heard, text) in cases {
            assert_eq!(to_text(heard, &products), text, "{heard}");
        }
    }
}
