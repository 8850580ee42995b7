//! Which Odoo methods only read, and which may answer with a `None` result.
//!
//! The read list is an allow-list on purpose: the host refuses every other method on a
//! read-only instance, and the client retries only these after a dropped connection. A
//! method missing here (a new reader) is treated as a write: refused or not retried, never
//! a write slipping through.

/// ORM and web-client methods that never change data.
const READ_METHODS: &[&str] = &[
    "check_access_rights",
    "context_get",
    "default_get",
    "exists",
    "fields_get",
    "fields_view_get",
    "formatted_read_group",
    "get_views",
    "has_access",
    "load_views",
    "name_get",
    "name_search",
    "read",
    "read_group",
    "read_progress_bar",
    "search",
    "search_count",
    "search_fetch",
    "search_read",
    "web_read",
    "web_read_group",
    "web_search_read",
];

/// Methods outside the `action_`/`button_` convention known to return `None` over XML-RPC.
const NONE_RESULT_METHODS: &[&str] = &[
    "message_post",
    "message_subscribe",
    "message_unsubscribe",
    "toggle_active",
];

/// Whether `method` may change data: everything except an explicit list of read methods
/// (`search`, `search_read`, `read`, `search_count`, `fields_get`, `name_search`,
/// `read_group`, …). `create`, `write`, `unlink`, `copy`, `action_*`, `button_*`,
/// `message_post` and any method not on the list count as writes.
pub fn is_write_method(method: &str) -> bool {
    !is_read_method(method)
}

/// Whether `method` is on the read allow-list (safe to send twice).
pub(super) fn is_read_method(method: &str) -> bool {
    READ_METHODS.contains(&method)
}

/// Whether a "cannot marshal None" fault after `model.method` means "done, no value".
///
/// Odoo marshals the result after committing, so the fault proves the method ran. It is
/// taken as success only for methods that plausibly return nothing: UI actions and buttons
/// (`action_set_lost`, `action_cancel`, `action_confirm`, `button_draft`, …), chatter
/// methods, and `ir.actions.server.run`. Elsewhere (e.g. a `fields_get` holding a `None`)
/// a real value was lost, and the fault stays an error.
pub(super) fn none_result_allowed(model: &str, method: &str) -> bool {
    method.starts_with("action_")
        || method.starts_with("button_")
        || NONE_RESULT_METHODS.contains(&method)
        || (model == "ir.actions.server" && method == "run")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_an_allow_list() {
        for read in [
            "search",
            "search_read",
            "read",
            "search_count",
            "fields_get",
            "name_search",
            "read_group",
        ] {
            assert!(!is_write_method(read), "{read}");
        }
        for write in [
            "create",
            "write",
            "unlink",
            "copy",
            "action_confirm",
            "button_draft",
            "message_post",
            "name_create",
            "some_custom_method",
            "Search",
            "search ",
            "",
        ] {
            assert!(is_write_method(write), "{write:?}");
        }
    }

    #[test]
    fn none_results_only_for_action_like_methods() {
        for (model, method) in [
            ("crm.lead", "action_set_lost"),
            ("sale.order", "action_cancel"),
            ("sale.order", "action_confirm"),
            ("account.move", "button_draft"),
            ("crm.lead", "message_post"),
            ("ir.actions.server", "run"),
        ] {
            assert!(none_result_allowed(model, method), "{model}.{method}");
        }
        for (model, method) in [
            ("product.pricelist", "fields_get"),
            ("crm.lead", "write"),
            ("x.y", "run"),
        ] {
            assert!(!none_result_allowed(model, method), "{model}.{method}");
        }
    }
}
