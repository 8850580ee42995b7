//! Misbehaving and boundary-probing tools for the host's fault-isolation tests.
//!
//! Each tool exercises one limit or one host interface: CPU (`spin`), memory (`hog`),
//! traps (`panic`), grants (`ungranted`, `write_partner`, `send`), settings, and the
//! rule that time spent waiting in host calls is not charged to the CPU budget
//! (`sleepy_host`). `ok` is the control: it must keep working after the others fail.

use std::hint::black_box;

use daniel_plugin_sdk::prelude::*;

#[derive(Serialize, JsonSchema)]
struct Status {
    ok: bool,
}

fn spin(_: &Context, _: NoArgs) -> Result<Status, ToolError> {
    // `black_box` keeps the optimizer from proving the loop useless.
    let mut n: u64 = 0;
    loop {
        n = black_box(n.wrapping_add(1));
    }
}

fn hog(_: &Context, _: NoArgs) -> Result<Status, ToolError> {
    let mut chunks = Vec::new();
    loop {
        // Filled with ones so every page is really touched, and kept alive.
        chunks.push(black_box(vec![1u8; 1 << 20]));
    }
}

fn panic(_: &Context, _: NoArgs) -> Result<Status, ToolError> {
    panic!("fixture-faults: deliberate panic")
}

fn ok(_: &Context, _: NoArgs) -> Result<Status, ToolError> {
    Ok(Status { ok: true })
}

#[derive(Deserialize, JsonSchema)]
struct UngrantedArgs {
    /// The Odoo model, e.g. `hr.employee`.
    model: String,
    /// The method, e.g. `search_read`.
    method: String,
    /// Positional arguments.
    #[serde(default)]
    args: Vec<Value>,
    /// Keyword arguments.
    #[serde(default)]
    kwargs: Map<String, Value>,
}

#[derive(Serialize, JsonSchema)]
struct Answer {
    result: Value,
}

fn ungranted(ctx: &Context, a: UngrantedArgs) -> Result<Answer, ToolError> {
    let result = ctx
        .odoo()
        .execute_kw(&a.model, &a.method, a.args.into(), a.kwargs.into())?;
    Ok(Answer { result })
}

#[derive(Deserialize, JsonSchema)]
struct PartnerArgs {
    /// The new partner's name.
    #[serde(default = "default_partner")]
    name: String,
}

fn default_partner() -> String {
    "Fixture partner".into()
}

#[derive(Serialize, JsonSchema)]
struct Created {
    id: i64,
}

fn write_partner(ctx: &Context, args: PartnerArgs) -> Result<Created, ToolError> {
    let id = ctx
        .odoo()
        .create("res.partner", json!({ "name": args.name }))?;
    Ok(Created { id })
}

#[derive(Deserialize, JsonSchema)]
struct SendArgs {
    /// E.164 number, e.g. `+5215512345678`.
    to: String,
    body: String,
    #[serde(default = "default_channel")]
    channel: Channel,
}

fn default_channel() -> Channel {
    Channel::Whatsapp
}

#[derive(Serialize, JsonSchema)]
struct Sent {
    message_id: String,
}

fn send(ctx: &Context, args: SendArgs) -> Result<Sent, ToolError> {
    let message_id = ctx.messaging().send(args.channel, &args.to, &args.body)?;
    Ok(Sent { message_id })
}

fn settings(ctx: &Context, _: NoArgs) -> Result<Map<String, Value>, ToolError> {
    ctx.settings()
}

#[derive(Deserialize, JsonSchema)]
struct SleepyArgs {
    /// How many host calls to make.
    n: u32,
}

#[derive(Serialize, JsonSchema)]
struct Calls {
    calls: u32,
    count: u64,
}

fn sleepy_host(ctx: &Context, args: SleepyArgs) -> Result<Calls, ToolError> {
    // Also the fixture's one use of the `log` import, so a host test links all four.
    daniel_plugin_sdk::debug!("sleepy_host: {} host calls", args.n);
    let mut count = 0;
    for _ in 0..args.n {
        count = ctx.odoo().search_count("res.partner", json!([]))?;
    }
    Ok(Calls {
        calls: args.n,
        count,
    })
}

daniel_plugin_sdk::plugin! {
    FixtureFaults,
    [
        Tool::new("spin", "Loops forever on the CPU", spin),
        Tool::new("hog", "Allocates memory without bound", hog),
        Tool::new("panic", "Panics", panic),
        Tool::new("ok", "Returns {\"ok\": true}", ok).read_only(),
        Tool::new("ungranted", "Calls any Odoo model and method", ungranted),
        Tool::new("write_partner", "Creates a res.partner", write_partner).non_destructive(),
        Tool::new("send", "Sends a WhatsApp or SMS message", send).non_destructive(),
        Tool::new("settings", "Returns the plugin's settings", settings).read_only(),
        Tool::new("sleepy_host", "Calls Odoo search_count n times", sleepy_host).read_only(),
    ]
}
