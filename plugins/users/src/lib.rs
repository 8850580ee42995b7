//! `list_users`: Odoo users by name and archive state (read-only).

use daniel_plugin_sdk::prelude::*;
use plugin_kit::page::{self, Page};

#[derive(Deserialize, JsonSchema)]
struct ListUsersArgs {
    /// Part of the user's name (case-insensitive).
    #[serde(default)]
    q: Option<String>,
    /// `true`: active users only; `false`: archived ones only; omitted: active ones.
    #[serde(default)]
    active: Option<bool>,
    /// Maximum number of users (1-100).
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    50
}

#[derive(Serialize, Deserialize, JsonSchema)]
struct User {
    id: i64,
    name: String,
    login: String,
    active: bool,
}

fn list_users(ctx: &Context, args: ListUsersArgs) -> Result<Page<User>, ToolError> {
    let rows = ctx.odoo().search_read(
        "res.users",
        page::name_and_active(args.q.as_deref(), args.active),
        &["id", "name", "login", "active"],
        page::opts(args.limit).order("name, id"),
    )?;
    Ok(page::page(rows, args.limit))
}

daniel_plugin_sdk::plugin! {
    Users,
    [
        Tool::new("list_users", "Lists Odoo users (salespeople, staff), optionally filtered by name and archive state", list_users)
            .title("List users")
            .read_only()
            .closed_world(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_keeps_the_seed_parameters() {
        let spec = Users::tools()[0].spec();
        assert_eq!(spec.name, "list_users");
        let props = spec.input_schema["properties"].as_object().unwrap();
        assert!(
            ["q", "active", "limit"]
                .iter()
                .all(|p| props.contains_key(*p))
        );
    }
}
