//! Finds the line of a dotted key in TOML text, so validation errors can point at it.
//!
//! A heuristic over the text (table headers and `key =` lines), not a second parser:
//! good for the file shapes people write, and it falls back to the table's header.

/// The 1-based line of `path` (e.g. `["plugins", "crm", "instance"]`), if found.
pub(crate) fn line_of(text: &str, path: &[&str]) -> Option<usize> {
    // Try the longest table prefix that is a header, then the remaining key in it.
    for split in (1..=path.len()).rev() {
        let (table, keys) = path.split_at(split);
        if let Some(header) = header_line(text, table) {
            return Some(
                keys.first()
                    .and_then(|k| key_line(text, header, k))
                    .unwrap_or(header + 1),
            );
        }
    }
    // Keys at the top level, or inline tables (`plugins.crm.instance = ...`).
    key_line(text, usize::MAX, path.last()?)
}

fn header_line(text: &str, table: &[&str]) -> Option<usize> {
    let want = table.join(".");
    text.lines().position(|l| {
        let l = l.trim();
        let inner = l.strip_prefix('[').and_then(|r| r.strip_suffix(']'));
        inner.is_some_and(|i| normalise(i.trim_matches(['[', ']'])) == want)
    })
}

/// Searches for `key =` after the header at `header` (0-based) up to the next header.
fn key_line(text: &str, header: usize, key: &str) -> Option<usize> {
    let start = if header == usize::MAX { 0 } else { header + 1 };
    for (i, l) in text.lines().enumerate().skip(start) {
        let l = l.trim();
        if l.starts_with('[') && header != usize::MAX {
            return None;
        }
        if let Some((k, _)) = l.split_once('=')
            && normalise(k) == key
        {
            return Some(i + 1);
        }
    }
    None
}

fn normalise(key: &str) -> String {
    key.split('.')
        .map(|p| p.trim().trim_matches('"'))
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::line_of;

    const TEXT: &str = "[host]\nplugin_dir = \"x\"\n\n[plugins.crm]\nartifact = \"a\"\ninstance = \"p\"\n\n[plugins.crm.grants]\n\"crm.lead\" = [\"read\"]\n";

    #[test]
    fn finds_keys_under_their_table() {
        assert_eq!(line_of(TEXT, &["host", "plugin_dir"]), Some(2));
        assert_eq!(line_of(TEXT, &["plugins", "crm", "instance"]), Some(6));
        assert_eq!(
            line_of(TEXT, &["plugins", "crm", "grants", "crm.lead"]),
            Some(9)
        );
    }

    #[test]
    fn falls_back_to_the_table_header() {
        assert_eq!(line_of(TEXT, &["plugins", "crm", "memory_mb"]), Some(4));
        assert_eq!(line_of(TEXT, &["nothing", "here"]), None);
    }
}
