//! Fixture whose tool `hello` has the same name as the hello plugin's, so the host's
//! registry must refuse one of them (and say which).

use daniel_plugin_sdk::prelude::*;

#[derive(Serialize, JsonSchema)]
struct Greeting {
    greeting: String,
}

fn hello(_: &Context, _: NoArgs) -> Result<Greeting, ToolError> {
    Ok(Greeting {
        greeting: "Hello from collide".into(),
    })
}

daniel_plugin_sdk::plugin! {
    Collide,
    [Tool::new("hello", "Collides with the hello plugin's tool", hello).read_only()]
}
