//! Hot-reload fixture, revision 1: `echo` returns its arguments plus `"version": 1`.
//!
//! `echo-v2` is the next revision of the same plugin; swapping one file for the other
//! must change the answers and the catalogue without dropping calls in flight.

use daniel_plugin_sdk::prelude::*;

#[derive(Serialize, JsonSchema)]
struct Echoed {
    #[serde(flatten)]
    args: Map<String, Value>,
    /// The plugin revision that answered; it wins over an argument of the same name.
    version: u32,
}

fn echo(_: &Context, args: Map<String, Value>) -> Result<Echoed, ToolError> {
    Ok(Echoed { args, version: 1 })
}

daniel_plugin_sdk::plugin! {
    EchoV1,
    [Tool::new("echo", "Returns its arguments and the plugin version", echo).read_only()]
}
