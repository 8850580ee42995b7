//! One job record and its status document.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// `queued` → `processing` → `completed` | `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Processing,
    Completed,
    Failed,
}

impl JobState {
    /// The state's name, as in status documents and store columns.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Processing => "processing",
            JobState::Completed => "completed",
            JobState::Failed => "failed",
        }
    }
}

/// The identity of a request: plugin, kind and input (object keys in sorted order,
/// so the same arguments in another order are the same request), hashed, within
/// `scope` (see [`super::Jobs::new`]).
pub(super) fn digest(scope: &str, plugin: &str, kind: &str, input: &Value) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in [scope, plugin, kind] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher.update(canonical(input).as_bytes());
    hex::encode(hasher.finalize())
}

/// `value` as JSON text with every object's keys sorted.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// A background job.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Job {
    pub tracking_id: String,
    pub plugin: String,
    /// The tool that submitted it: its grants apply while the job runs.
    pub tool: String,
    pub kind: String,
    pub input: Value,
    pub state: JobState,
    pub progress: Option<String>,
    pub result: Option<Value>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    /// What makes two jobs the same request ([`digest`]): a repeat within the
    /// dedupe window gets this job back instead of a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

impl Job {
    /// A queued job with a fresh tracking id: the kind's first four letters, `_`,
    /// and 12 random hex digits (`quot_3f9a…` for quotations, as clients expect).
    pub fn new(plugin: &str, tool: &str, kind: &str, input: Value) -> Job {
        let prefix: String = kind.chars().take(4).collect();
        let random = uuid::Uuid::new_v4().simple().to_string();
        Job {
            tracking_id: format!("{prefix}_{}", &random[..12]),
            plugin: plugin.to_owned(),
            tool: tool.to_owned(),
            kind: kind.to_owned(),
            input,
            state: JobState::Queued,
            progress: None,
            result: None,
            error: None,
            created_at: Utc::now(),
            started_at: None,
            completed_at: None,
            digest: None,
        }
    }

    /// The status document clients read (MCP `dev_get_quotation_status`, REST).
    /// Timestamps are UTC ISO 8601; `elapsed_time` runs to completion or now.
    pub fn status_json(&self) -> Value {
        let end = self.completed_at.unwrap_or_else(Utc::now);
        let elapsed = (end - self.created_at).num_milliseconds().max(0) as f64 / 1000.0;
        let mut doc = json!({
            "tracking_id": self.tracking_id,
            "kind": self.kind,
            "status": self.state,
            "created_at": self.created_at.to_rfc3339(),
            "elapsed_time": format!("{elapsed:.2}s"),
        });
        let map = doc.as_object_mut().expect("object literal");
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                map.insert(k.to_owned(), v);
            }
        };
        put("progress", self.progress.clone().map(Value::String));
        put(
            "started_at",
            self.started_at.map(|t| Value::String(t.to_rfc3339())),
        );
        put(
            "completed_at",
            self.completed_at.map(|t| Value::String(t.to_rfc3339())),
        );
        put("result", self.result.clone());
        put("error", self.error.clone().map(Value::String));
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_ids_have_the_clients_format() {
        let j = Job::new("crm", "dev_create_quotation", "quotation", json!({}));
        assert!(j.tracking_id.starts_with("quot_"));
        assert_eq!(j.tracking_id.len(), 17);
        assert!(j.tracking_id[5..].bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn a_request_is_the_same_whatever_the_order_of_its_fields() {
        let a = json!({"email": "a@b.mx", "products": [{"product_id": 1, "qty": 2}]});
        let b = json!({"products": [{"qty": 2, "product_id": 1}], "email": "a@b.mx"});
        let quotation = |scope, input: &Value| digest(scope, "crm", "quotation", input);
        assert_eq!(quotation("", &a), quotation("", &b));
        // Another value, scope, kind, plugin, or list order is another request.
        let c = json!({"email": "a@b.mx", "products": [{"product_id": 1, "qty": 3}]});
        assert_ne!(quotation("", &a), quotation("", &c));
        assert_ne!(quotation("", &a), quotation("run-2", &a));
        assert_ne!(quotation("", &a), digest("", "crm", "quote", &a));
        assert_ne!(quotation("", &a), digest("", "sales", "quotation", &a));
        let two = json!([1, 2]);
        assert_ne!(
            digest("", "p", "k", &two),
            digest("", "p", "k", &json!([2, 1]))
        );
        // Field boundaries count: plugin "ab" + kind "c" is not "a" + "bc".
        assert_ne!(digest("", "ab", "c", &two), digest("", "a", "bc", &two));
    }

    #[test]
    fn status_shows_only_what_is_known() {
        let mut j = Job::new("crm", "t", "quotation", json!({"a": 1}));
        let s = j.status_json();
        assert_eq!(s["status"], "queued");
        assert!(s.get("result").is_none() && s.get("started_at").is_none());
        j.state = JobState::Failed;
        j.error = Some("boom".into());
        j.completed_at = Some(Utc::now());
        let s = j.status_json();
        assert_eq!(
            (s["status"].as_str(), s["error"].as_str()),
            (Some("failed"), Some("boom"))
        );
        assert!(s["elapsed_time"].as_str().unwrap().ends_with('s'));
    }
}
