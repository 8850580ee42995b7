//! Field checks shared by the REST handlers: each returns the problems it found so
//! a client sees every invalid field at once.

use serde_json::{Map, Value};

use super::error::{ApiError, FieldError};

/// Parses a request body that must be a JSON object.
///
/// # Errors
/// A 422 naming the body when it is not JSON or not an object.
pub(super) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::Invalid(vec![FieldError::new(
            "",
            "body must be a JSON object",
        )])),
        Err(e) => Err(ApiError::Invalid(vec![FieldError::new(
            "",
            format!("body is not valid JSON: {e}"),
        )])),
    }
}

/// Reads a JSON object body, field by field.
pub(super) struct Body<'a> {
    map: &'a Map<String, Value>,
    pub(super) errors: Vec<FieldError>,
}

impl<'a> Body<'a> {
    pub(super) fn new(map: &'a Map<String, Value>) -> Body<'a> {
        Body {
            map,
            errors: Vec::new(),
        }
    }

    fn fail(&mut self, field: &str, msg: impl Into<String>) {
        self.errors.push(FieldError::new(field, msg));
    }

    /// A required, non-blank string of at most `max` characters.
    pub(super) fn text(&mut self, field: &str, max: usize) -> Option<String> {
        match self.map.get(field) {
            None | Some(Value::Null) => {
                self.fail(field, "field required");
                None
            }
            Some(v) => self.string_value(field, v, max),
        }
    }

    /// An optional string.
    pub(super) fn opt_text(&mut self, field: &str, max: usize) -> Option<String> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(v) => self.string_value(field, v, max),
        }
    }

    fn string_value(&mut self, field: &str, v: &Value, max: usize) -> Option<String> {
        match v.as_str().map(str::trim) {
            Some("") => self.fail(field, "must not be empty"),
            Some(s) if s.chars().count() > max => {
                self.fail(field, format!("must be at most {max} characters"))
            }
            Some(s) => return Some(s.to_owned()),
            None => self.fail(field, "must be a string"),
        }
        None
    }

    /// An optional integer within `min..`.
    pub(super) fn opt_int(&mut self, field: &str, min: i64) -> Option<i64> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64() {
                Some(n) if n >= min => Some(n),
                Some(_) => {
                    self.fail(field, format!("must be at least {min}"));
                    None
                }
                None => {
                    self.fail(field, "must be an integer");
                    None
                }
            },
        }
    }

    /// An optional number; `positive` requires > 0.
    pub(super) fn opt_number(&mut self, field: &str, positive: bool) -> Option<f64> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_f64() {
                Some(n) if !n.is_finite() => {
                    self.fail(field, "must be a finite number");
                    None
                }
                Some(n) if positive && n <= 0.0 => {
                    self.fail(field, "must be greater than 0");
                    None
                }
                Some(n) => Some(n),
                None => {
                    self.fail(field, "must be a number");
                    None
                }
            },
        }
    }

    /// The raw value, if present and not null.
    pub(super) fn raw(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    pub(super) fn error(&mut self, field: &str, msg: impl Into<String>) {
        self.fail(field, msg);
    }
}

/// A plausible e-mail address: one `@`, a dot in the domain, no spaces.
pub(super) fn email_ok(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
        && !domain.contains('@')
}

/// A phone number: digits with optional `+`, spaces, dashes, dots or parentheses,
/// 7 to 15 digits in all.
pub(super) fn phone_ok(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits)
        && s.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(email_ok("ana@example.com"));
        assert!(
            !email_ok("ana@example")
                && !email_ok("a b@x.com")
                && !email_ok("@x.com")
                && !email_ok("a@@x.com")
        );
        assert!(phone_ok("+52 55 1234 5678") && phone_ok("5512345678"));
        assert!(!phone_ok("12") && !phone_ok("call me"));
    }
}
