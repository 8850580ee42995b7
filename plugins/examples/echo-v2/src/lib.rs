//! Hot-reload fixture, revision 2: `echo` answers `"version": 2`, and `echo_upper` is new.
//!
//! See `echo-v1` for revision 1.

use daniel_plugin_sdk::prelude::*;

const VERSION: u32 = 2;

#[derive(Serialize, JsonSchema)]
struct Echoed {
    #[serde(flatten)]
    args: Map<String, Value>,
    /// The plugin revision that answered; it wins over an argument of the same name.
    version: u32,
}

fn echo(_: &Context, args: Map<String, Value>) -> Result<Echoed, ToolError> {
    Ok(Echoed {
        args,
        version: VERSION,
    })
}

#[derive(Deserialize, JsonSchema)]
struct UpperArgs {
    /// The text to upper-case.
    text: String,
}

#[derive(Serialize, JsonSchema)]
struct Upper {
    text: String,
    version: u32,
}

fn echo_upper(_: &Context, args: UpperArgs) -> Result<Upper, ToolError> {
    Ok(Upper {
        text: args.text.to_uppercase(),
        version: VERSION,
    })
}

daniel_plugin_sdk::plugin! {
    EchoV2,
    [
        Tool::new("echo", "Returns its arguments and the plugin version", echo).read_only(),
        Tool::new("echo_upper", "Returns the text upper-cased", echo_upper).read_only(),
    ]
}
