//! Text in and out of Odoo's HTML fields.
//!
//! Results never carry raw HTML or unbounded text: descriptions and notes become plain
//! text, cut at a known length with a flag saying so. Text written into HTML fields
//! (lead descriptions, chatter notes) is escaped, so an agent cannot inject markup.

/// Longest description or note a tool returns, in characters.
///
/// Long enough for a task's working notes, short enough that one record cannot fill
/// an agent's context.
pub const MAX_TEXT_CHARS: usize = 2000;

/// Plain text from Odoo HTML: tags dropped (block ends become line breaks), entities
/// decoded, blank runs collapsed. `<script>` and `<style>` content is dropped.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..start]));
        let Some(end) = rest[start..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_ascii_lowercase();
        rest = &rest[start + end + 1..];
        let name = tag
            .split(|c: char| c.is_whitespace() || c == '/')
            .find(|s| !s.is_empty());
        if let Some(skip @ ("script" | "style")) = name
            && !tag.starts_with('/')
        {
            let close = format!("</{skip}");
            rest = rest
                .to_ascii_lowercase()
                .find(&close)
                .map_or("", |i| &rest[i..]);
            continue;
        }
        // A line break per `<br>`, block end and list item, not per block start too.
        let closing = tag.starts_with('/');
        let breaks = match name {
            Some("br") => true,
            Some("li" | "tr") => !closing,
            Some("p" | "div" | "h1" | "h2" | "h3" | "h4" | "ul" | "ol" | "table") => closing,
            _ => false,
        };
        if breaks {
            out.push('\n');
        }
    }
    out.push_str(&decode_entities(rest));
    tidy(&out)
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let entity = rest.find(';').filter(|&i| i <= 10).map(|i| &rest[1..i]);
        match entity.and_then(entity_char) {
            Some(c) => {
                out.push(c);
                rest = &rest[entity.map_or(0, str::len) + 2..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity_char(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" | "#39" => Some('\''),
        "nbsp" => Some(' '),
        _ => {
            let code = name.strip_prefix('#')?;
            let n = match code.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => code.parse().ok()?,
            };
            char::from_u32(n)
        }
    }
}

/// Collapses spaces within lines and drops blank lines at the ends and in runs.
fn tidy(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() && lines.last().is_none_or(String::is_empty) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines.join("\n")
}

/// `text` cut to at most `max` characters (with `…` when cut), and whether it was cut.
pub fn truncate(text: &str, max: usize) -> (String, bool) {
    match text.char_indices().nth(max) {
        None => (text.to_owned(), false),
        Some((cut, _)) => {
            let kept = text[..cut].trim_end();
            (format!("{kept}…"), true)
        }
    }
}

/// An Odoo HTML field as bounded plain text: `(text, truncated)`.
pub fn html_field(html: Option<&str>) -> (Option<String>, bool) {
    let Some(text) = html.map(html_to_text).filter(|t| !t.is_empty()) else {
        return (None, false);
    };
    let (text, cut) = truncate(&text, MAX_TEXT_CHARS);
    (Some(text), cut)
}

/// Escapes text for an HTML field.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Plain text as one escaped HTML paragraph, line breaks kept.
pub fn to_html(text: &str) -> String {
    let lines: Vec<String> = text.trim().lines().map(escape_html).collect();
    format!("<p>{}</p>", lines.join("<br>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            html_to_text("<p>Hola&nbsp;<b>Ana</b></p><p>Entrega: 2&amp;3 &lt;pisos&gt;</p>"),
            "Hola Ana\nEntrega: 2&3 <pisos>"
        );
        assert_eq!(html_to_text("a<br/>b<br>c"), "a\nb\nc");
        assert_eq!(
            html_to_text("<style>p{x}</style><p>ok</p><script>alert(1)</script>"),
            "ok"
        );
        assert_eq!(html_to_text("&#233;&#x41; &bogus; & x"), "éA &bogus; & x");
        assert_eq!(html_to_text("<p>  </p><p></p>"), "");
        assert_eq!(html_to_text("broken <p"), "broken");
    }

    #[test]
    fn truncation_is_by_characters_and_flagged() {
        assert_eq!(truncate("ñandú", 10), ("ñandú".into(), false));
        assert_eq!(truncate("ñandú rápido", 5), ("ñandú…".into(), true));
        let long = format!("<p>{}</p>", "x".repeat(MAX_TEXT_CHARS + 5));
        let (text, cut) = html_field(Some(&long));
        assert!(cut);
        assert_eq!(text.unwrap().chars().count(), MAX_TEXT_CHARS + 1);
        assert_eq!(html_field(Some("<p></p>")), (None, false));
    }

    #[test]
    fn text_written_to_html_is_escaped() {
        assert_eq!(
            to_html("Llamar <hoy>\n& confirmar"),
            "<p>Llamar &lt;hoy&gt;<br>&amp; confirmar</p>"
        );
    }
}
