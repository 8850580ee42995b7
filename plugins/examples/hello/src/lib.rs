//! The smallest useful plugin: a greeting, and a count of Odoo partners.
//!
//! Build: `cargo build --profile plugin --target wasm32-wasip2 -p hello-plugin`.

use daniel_plugin_sdk::prelude::*;

#[derive(Deserialize, JsonSchema)]
struct HelloArgs {
    /// Who to greet.
    name: String,
}

#[derive(Serialize, JsonSchema)]
struct Greeting {
    greeting: String,
}

fn hello(_ctx: &Context, args: HelloArgs) -> Result<Greeting, ToolError> {
    if args.name.trim().is_empty() {
        return Err(ToolError::invalid_input("name: must not be empty"));
    }
    Ok(Greeting {
        greeting: format!("Hello, {}!", args.name.trim()),
    })
}

#[derive(Serialize, JsonSchema)]
struct PartnerCount {
    /// Active partners (companies and contacts).
    count: u64,
}

fn count_partners(ctx: &Context, _args: NoArgs) -> Result<PartnerCount, ToolError> {
    let count = ctx.odoo().search_count("res.partner", json!([]))?;
    Ok(PartnerCount { count })
}

daniel_plugin_sdk::plugin! {
    Hello,
    [
        Tool::new("hello", "Greets someone by name", hello).title("Say hello").read_only(),
        Tool::new("count_partners", "Counts the partners in Odoo", count_partners)
            .title("Count partners")
            .read_only()
            .closed_world(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets() {
        let out = Hello::tools()[0]
            .run(&Context::new("hello"), r#"{"name":" Ada "}"#)
            .unwrap();
        assert_eq!(out.structured, Some(json!({"greeting": "Hello, Ada!"})));
    }
}
