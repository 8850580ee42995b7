//! List limits and the shape of list results.
//!
//! Every list tool caps `limit` at [`MAX_LIMIT`] and fetches one row more than it
//! returns, so the result can say whether there is more without a `search_count`.

use daniel_plugin_sdk::SearchOpts;
use schemars::JsonSchema;
use serde::Serialize;

/// The most rows a list tool returns in one call, whatever `limit` asks for: enough for
/// any answer an agent reads out, small enough to keep a result inside its context.
pub const MAX_LIMIT: u32 = 100;

/// A page of results.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Page<T> {
    /// The records, at most `limit` of them.
    pub items: Vec<T>,
    /// True if more records match than were returned (narrow the filters or raise `limit`).
    pub has_more: bool,
}

/// `limit` clamped to `1..=MAX_LIMIT`.
pub fn cap(limit: u32) -> u32 {
    limit.clamp(1, MAX_LIMIT)
}

/// Search options that fetch one row past `limit` (already capped).
pub fn opts(limit: u32) -> SearchOpts {
    SearchOpts::limit(cap(limit) + 1)
}

/// The domain of a list filtered by name (case-insensitive, partial) and archive
/// state, as the seed's list tools filter.
pub fn name_and_active(q: Option<&str>, active: Option<bool>) -> serde_json::Value {
    let mut domain = Vec::new();
    if let Some(q) = crate::validate::optional(q) {
        domain.push(serde_json::json!(["name", "ilike", q]));
    }
    if let Some(active) = active {
        domain.push(serde_json::json!(["active", "=", active]));
    }
    serde_json::Value::Array(domain)
}

/// The first `limit` rows, noting whether there were more.
pub fn page<T>(mut rows: Vec<T>, limit: u32) -> Page<T> {
    let limit = cap(limit) as usize;
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    Page {
        items: rows,
        has_more,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_capped_and_overflow_is_reported() {
        assert_eq!(cap(0), 1);
        assert_eq!(cap(500), MAX_LIMIT);
        assert_eq!(opts(10).limit, Some(11));
        let p = page(vec![1, 2, 3], 2);
        assert_eq!((p.items, p.has_more), (vec![1, 2], true));
        let p = page(vec![1, 2], 2);
        assert!(!p.has_more);
    }

    #[test]
    fn name_and_archive_filters_are_optional() {
        use serde_json::json;
        assert_eq!(name_and_active(None, None), json!([]));
        assert_eq!(name_and_active(Some("  "), None), json!([]));
        assert_eq!(
            name_and_active(Some("Serv"), Some(false)),
            json!([["name", "ilike", "Serv"], ["active", "=", false]])
        );
    }
}
