//! Background jobs: [`Job`] (a typed handler the host runs later through the `run-job`
//! export) and [`Jobs`] (submit a job, read its status, report progress).
//!
//! A tool that would keep its caller waiting (a quotation touches Odoo a dozen times)
//! submits a job and answers at once with the tracking id; the host stores the job, runs
//! it on a fresh instance with the submitting tool's grants and instance, and serves its
//! status. The job's structured result becomes the status document's `result`.

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::bindings::daniel::plugin::jobs as wit;
use crate::{Context, IntoOutput, ToolError, ToolOutput, args};

type Handler = Box<dyn Fn(&Context, &str) -> Result<ToolOutput, ToolError>>;

/// One kind of background job and its handler.
pub struct Job {
    kind: String,
    handler: Handler,
}

impl Job {
    /// A job of kind `kind` that runs `handler`.
    ///
    /// The input `I` is deserialized from the JSON the submitting tool passed to
    /// [`Jobs::submit`]; the result `R` is serialized as the job's result, like a tool's.
    pub fn new<I, R, F>(kind: impl Into<String>, handler: F) -> Self
    where
        I: DeserializeOwned + 'static,
        R: Serialize + JsonSchema + 'static,
        F: Fn(&Context, I) -> Result<R, ToolError> + 'static,
    {
        let kind = kind.into();
        let label = kind.clone();
        Self {
            kind,
            handler: Box::new(move |ctx, json| {
                // The input was serialized by this plugin, so a mismatch is a bug (or a
                // job queued by an older revision whose input type has since changed).
                let input = args::parse_json(json).map_err(|err| {
                    ToolError::Internal(format!("job {label:?} input: {}", err.message()))
                })?;
                handler(ctx, input)?.into_output()
            }),
        }
    }

    /// The job's kind.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// Runs the job on `input` (JSON text).
    ///
    /// # Errors
    ///
    /// [`ToolError::Internal`] if the input does not fit, else what the handler returned.
    pub fn run(&self, ctx: &Context, input: &str) -> Result<ToolOutput, ToolError> {
        (self.handler)(ctx, input)
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// The host's job queue. Get it from [`Context::jobs`](crate::Context::jobs).
#[derive(Clone, Copy, Debug, Default)]
pub struct Jobs {
    _private: (),
}

impl Jobs {
    pub(crate) fn new() -> Self {
        Self { _private: () }
    }

    /// Queues a job of `kind` (one of this plugin's [`Job`]s) with `input`; returns its
    /// tracking id (e.g. `quot_3f9a0c…`).
    ///
    /// # Errors
    ///
    /// [`ToolError::Internal`] if `input` does not serialize; [`ToolError::Upstream`]
    /// if the host refused the job (for example, its queue is full).
    pub fn submit(&self, kind: &str, input: &impl Serialize) -> Result<String, ToolError> {
        let input = serde_json::to_string(input)
            .map_err(|err| ToolError::Internal(format!("job {kind:?} input: {err}")))?;
        wit::submit(kind, &input).map_err(|err| submit_error(kind, &err))
    }

    /// The status document of job `tracking_id` (`{tracking_id, kind, status, progress,
    /// result, error, created_at, …}`), or `None` if this plugin has no such job.
    ///
    /// # Errors
    ///
    /// [`ToolError::Internal`] if the host sent something that is not JSON.
    pub fn status(&self, tracking_id: &str) -> Result<Option<Value>, ToolError> {
        wit::status(tracking_id)
            .map(|json| parse_status(&json))
            .transpose()
    }

    /// Reports the progress of the job this call is running (shown in its status).
    /// Outside a job the host ignores it.
    pub fn progress(&self, message: &str) {
        wit::progress(message);
    }

    /// The tracking id of the job this call is running; `None` in a tool call.
    pub fn current(&self) -> Option<String> {
        wit::current()
    }
}

fn submit_error(kind: &str, err: &str) -> ToolError {
    ToolError::Upstream(format!("the host did not queue job {kind:?}: {err}"))
}

fn parse_status(json: &str) -> Result<Value, ToolError> {
    serde_json::from_str(json)
        .map_err(|err| ToolError::Internal(format!("job status is not JSON: {err}")))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Deserialize)]
    struct Input {
        qty: u32,
    }

    #[derive(Serialize, JsonSchema)]
    struct Output {
        total: u32,
    }

    fn double(_: &Context, input: Input) -> Result<Output, ToolError> {
        if input.qty == 0 {
            return Err(ToolError::invalid_input("qty: must be > 0"));
        }
        Ok(Output {
            total: input.qty * 2,
        })
    }

    #[test]
    fn runs_with_typed_input_and_structured_result() {
        let job = Job::new("double", double);
        assert_eq!(job.kind(), "double");
        let out = job
            .run(&Context::for_job("double"), r#"{"qty": 3}"#)
            .unwrap();
        assert_eq!(out.structured, Some(json!({"total": 6})));
    }

    #[test]
    fn input_that_does_not_fit_is_an_internal_error() {
        let job = Job::new("double", double);
        let err = job
            .run(&Context::for_job("double"), r#"{"qty": "x"}"#)
            .unwrap_err();
        assert_eq!(
            err,
            ToolError::internal(
                r#"job "double" input: qty: invalid type: string "x", expected u32"#
            )
        );
    }

    #[test]
    fn handler_errors_pass_through() {
        let job = Job::new("double", double);
        let err = job
            .run(&Context::for_job("double"), r#"{"qty": 0}"#)
            .unwrap_err();
        assert_eq!(err, ToolError::invalid_input("qty: must be > 0"));
    }

    #[test]
    fn host_answers_become_tool_errors() {
        assert_eq!(
            submit_error("quotation", "queue full"),
            ToolError::upstream(r#"the host did not queue job "quotation": queue full"#)
        );
        assert_eq!(
            parse_status(r#"{"status": "queued"}"#).unwrap(),
            json!({"status": "queued"})
        );
        assert!(matches!(parse_status("nope"), Err(ToolError::Internal(_))));
    }
}
