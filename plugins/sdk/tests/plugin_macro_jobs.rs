//! `plugin!` with jobs: `run-job` finds the kind, types the input and structures the
//! result; tools keep working beside it.

use daniel_plugin_sdk::bindings::{Guest, ToolError as WitError};
use daniel_plugin_sdk::prelude::*;

#[derive(Deserialize, Serialize, JsonSchema)]
struct Order {
    qty: u32,
}

#[derive(Serialize, JsonSchema)]
struct Done {
    kind: String,
    qty: u32,
}

fn order(_: &Context, args: Order) -> Result<Done, ToolError> {
    Ok(Done {
        kind: "tool".into(),
        qty: args.qty,
    })
}

fn run_order(ctx: &Context, input: Order) -> Result<Done, ToolError> {
    Ok(Done {
        kind: ctx.job().unwrap_or_default().into(),
        qty: input.qty,
    })
}

daniel_plugin_sdk::plugin! {
    WithJobs,
    [Tool::new("order", "Orders", order)],
    jobs: [Job::new("order", run_order)],
}

#[test]
fn run_job_runs_the_kind_with_typed_input() {
    assert_eq!(WithJobs::jobs()[0].kind(), "order");
    let out = <WithJobs as Guest>::run_job("order".into(), r#"{"qty":2}"#.into()).unwrap();
    assert_eq!(
        out.structured.as_deref(),
        Some(r#"{"kind":"order","qty":2}"#)
    );
    let out = <WithJobs as Guest>::call("order".into(), r#"{"qty":3}"#.into()).unwrap();
    assert_eq!(
        out.structured.as_deref(),
        Some(r#"{"kind":"tool","qty":3}"#)
    );
    let err = <WithJobs as Guest>::run_job("other".into(), "{}".into()).unwrap_err();
    assert!(
        matches!(&err, WitError::Internal(m) if m.contains("this plugin runs: order")),
        "{err:?}"
    );
}
