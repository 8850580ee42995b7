//! `plugin!` with tools only: every `run-job` is an unknown kind.

use daniel_plugin_sdk::bindings::{Guest, ToolError as WitError};
use daniel_plugin_sdk::prelude::*;

fn ping(_: &Context, _: NoArgs) -> Result<Map<String, Value>, ToolError> {
    Ok(Map::new())
}

daniel_plugin_sdk::plugin! { ToolsOnly, [Tool::new("ping", "Pings", ping).read_only()] }

#[test]
fn run_job_answers_unknown_kind() {
    assert!(ToolsOnly::jobs().is_empty());
    assert_eq!(ToolsOnly::tools().len(), 1);
    let err = <ToolsOnly as Guest>::run_job("quotation".into(), "{}".into()).unwrap_err();
    assert!(
        matches!(&err, WitError::Internal(m) if m.starts_with("unknown job kind \"quotation\"")),
        "{err:?}"
    );
}
