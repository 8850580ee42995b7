//! PII redaction: configured field names are masked wherever they appear.

use serde_json::Value;

/// Replaces the value of every object member whose name is in `fields`
/// (case-insensitive, at any depth) with `"***"`.
pub fn redact(value: &mut Value, fields: &[String]) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if fields.iter().any(|f| f.eq_ignore_ascii_case(k)) {
                    *v = Value::String("***".into());
                } else {
                    redact(v, fields);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact(v, fields)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn masks_named_fields_at_any_depth() {
        let mut v = json!({"email": "a@b.c", "input": {"Phone": "+52", "lines": [{"email": "x"}]}, "name": "Ana"});
        super::redact(&mut v, &["email".into(), "phone".into()]);
        assert_eq!(
            v,
            json!({"email": "***", "input": {"Phone": "***", "lines": [{"email": "***"}]}, "name": "Ana"})
        );
    }
}
