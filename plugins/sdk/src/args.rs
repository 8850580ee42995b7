//! Typed tool arguments: JSON text in, `A` out, or an error naming the field.
//!
//! The host has already checked the arguments against the input schema, so these
//! errors mostly catch what a schema cannot say (or a schema and type that disagree).

use serde::de::DeserializeOwned;

use crate::ToolError;

/// Arguments for a tool that takes none. Its schema is an empty object schema, and any
/// object deserializes into it.
#[derive(Clone, Copy, Debug, Default, serde::Deserialize)]
pub struct NoArgs {}

// Written by hand so this type's docs do not end up in every tool's input schema.
impl schemars::JsonSchema for NoArgs {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NoArgs".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "object", "properties": {} })
    }
}

/// Deserializes `json` into `A`.
///
/// # Errors
///
/// [`ToolError::InvalidInput`] whose message starts with the path of the offending
/// field (`"address.zip: invalid type: …"`); a missing field is named by serde itself
/// (``"missing field `name`"``). Arguments that are not a JSON object at all (serde would read an array as a
/// struct's fields in order) fail with `"arguments must be a JSON object"`.
pub fn parse<A: DeserializeOwned>(json: &str) -> Result<A, ToolError> {
    if !json.trim_start().starts_with('{') {
        return Err(ToolError::invalid_input("arguments must be a JSON object"));
    }
    parse_json(json)
}

/// Deserializes any JSON value into `T`, with errors as in [`parse`].
pub(crate) fn parse_json<T: DeserializeOwned>(json: &str) -> Result<T, ToolError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let reason = without_position(err.inner());
        if path == "." {
            ToolError::InvalidInput(reason)
        } else {
            ToolError::InvalidInput(format!("{path}: {reason}"))
        }
    })?;
    // Trailing characters after the object are a host bug, but still bad input.
    de.end()
        .map_err(|err| ToolError::InvalidInput(without_position(&err)))?;
    Ok(value)
}

/// serde_json's message without " at line L column C": the field path says more to a
/// caller who never saw the JSON text the host produced.
pub(crate) fn without_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    match text.strip_suffix(&suffix) {
        Some(reason) => reason.to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Address {
        zip: String,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Args {
        name: String,
        #[serde(default)]
        limit: u32,
        address: Option<Address>,
        tags: Option<Vec<u32>>,
    }

    fn error(json: &str) -> String {
        match parse::<Args>(json) {
            Err(ToolError::InvalidInput(message)) => message,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn parses_valid_arguments() {
        let args: Args = parse(r#"{"name":"x","limit":3}"#).unwrap();
        assert_eq!((args.name.as_str(), args.limit), ("x", 3));
    }

    #[test]
    fn names_a_field_of_the_wrong_type() {
        assert_eq!(
            error(r#"{"name":"x","limit":"ten"}"#),
            r#"limit: invalid type: string "ten", expected u32"#
        );
    }

    #[test]
    fn names_a_missing_field() {
        assert_eq!(error(r#"{"limit":1}"#), "missing field `name`");
    }

    #[test]
    fn names_nested_fields_and_items() {
        assert_eq!(
            error(r#"{"name":"x","address":{"zip":5}}"#),
            "address.zip: invalid type: integer `5`, expected a string"
        );
        assert_eq!(
            error(r#"{"name":"x","tags":[1,-2]}"#),
            "tags[1]: invalid value: integer `-2`, expected u32"
        );
    }

    #[test]
    fn rejects_non_objects() {
        assert_eq!(
            error(r#"["x", 1, null, null]"#),
            "arguments must be a JSON object"
        );
        assert_eq!(error(" 7"), "arguments must be a JSON object");
    }

    #[test]
    fn no_args_accepts_any_object() {
        parse::<NoArgs>(r#"{"anything":1}"#).unwrap();
        parse::<NoArgs>("{}").unwrap();
    }
}
