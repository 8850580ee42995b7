//! JSON Schemas for tool arguments and results, generated with schemars.
//!
//! Both follow JSON Schema 2020-12, MCP's default dialect. The input schema describes
//! what the tool deserializes (fields with `#[serde(default)]` are optional); the
//! output schema describes what it serializes. MCP wants an *object* schema for
//! structured results, so any other output type is wrapped in a one-field object:
//! an array under `"items"`, anything else under `"value"` (a `Vec<Project>` result
//! becomes `{"items": [...]}`). [`OutputShape`] records that choice so the value is
//! wrapped the same way the schema was.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

/// The input schema of arguments of type `A`.
pub fn input_schema<A: JsonSchema>() -> Value {
    SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator()
        .into_root_schema_for::<A>()
        .to_value()
}

/// The output schema of results of type `T`, always an object schema.
pub fn output_schema<T: JsonSchema>() -> Value {
    let (schema, shape) = raw_output::<T>();
    shape.wrap_schema(schema)
}

/// How a result of type `T` is placed in the structured result.
pub fn output_shape<T: JsonSchema>() -> OutputShape {
    raw_output::<T>().1
}

fn raw_output<T: JsonSchema>() -> (Value, OutputShape) {
    let schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    let shape = match schema.get("type").and_then(Value::as_str) {
        Some("object") => OutputShape::Object,
        Some("array") => OutputShape::Wrapped("items"),
        _ => OutputShape::Wrapped("value"),
    };
    (schema, shape)
}

/// Whether a result is already an object or is wrapped under one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputShape {
    /// The result serializes to an object and is sent as is.
    Object,
    /// The result is sent as `{key: result}`.
    Wrapped(&'static str),
}

impl OutputShape {
    /// Places a serialized result in the shape its schema promised.
    pub fn wrap_value(self, value: Value) -> Value {
        match self {
            Self::Object => value,
            Self::Wrapped(key) => json!({ key: value }),
        }
    }

    fn wrap_schema(self, mut schema: Value) -> Value {
        let Self::Wrapped(key) = self else {
            return schema;
        };
        // `$ref`s point at the root's `$defs`, so the definitions (and the dialect)
        // move up to the new root; the rest becomes the property's schema.
        let mut root = Map::new();
        if let Some(inner) = schema.as_object_mut() {
            if let Some(dialect) = inner.remove("$schema") {
                root.insert("$schema".into(), dialect);
            }
            if let Some(defs) = inner.remove("$defs") {
                root.insert("$defs".into(), defs);
            }
        }
        root.insert("type".into(), "object".into());
        root.insert("properties".into(), json!({ key: schema }));
        root.insert("required".into(), json!([key]));
        Value::Object(root)
    }
}

/// True if `schema` is an object schema, as MCP requires of an input schema.
pub fn is_object_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
}

#[cfg(test)]
mod tests {
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    use super::*;

    #[derive(Deserialize, JsonSchema)]
    #[allow(dead_code)]
    struct ListArgs {
        /// Maximum number of rows.
        #[serde(default = "default_limit")]
        limit: u32,
        name: String,
    }

    fn default_limit() -> u32 {
        80
    }

    #[derive(Serialize, JsonSchema)]
    struct Project {
        id: i64,
        name: String,
    }

    #[test]
    fn input_schema_is_an_object_with_docs_and_defaults() {
        let schema = input_schema::<ListArgs>();
        assert!(is_object_schema(&schema));
        assert_eq!(schema["required"], json!(["name"]));
        assert_eq!(
            schema["properties"]["limit"]["description"],
            "Maximum number of rows."
        );
        assert_eq!(schema["properties"]["limit"]["default"], 80);
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }

    #[test]
    fn no_args_is_an_object_schema() {
        let none = input_schema::<crate::NoArgs>();
        assert!(is_object_schema(&none));
        assert_eq!(none["properties"], json!({}));
        assert!(none.get("description").is_none());
        assert!(is_object_schema(&input_schema::<Map<String, Value>>()));
    }

    #[test]
    fn object_outputs_are_not_wrapped() {
        let schema = output_schema::<Project>();
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["required"], json!(["id", "name"]));
        assert_eq!(output_shape::<Project>(), OutputShape::Object);
    }

    #[test]
    fn arrays_are_wrapped_under_items_with_defs_at_the_root() {
        let schema = output_schema::<Vec<Project>>();
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["required"], json!(["items"]));
        let items = &schema["properties"]["items"];
        assert_eq!(items["type"], "array");
        assert_eq!(items["items"]["$ref"], "#/$defs/Project");
        assert_eq!(schema["$defs"]["Project"]["type"], "object");
        assert!(items.get("$defs").is_none());
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );

        let shape = output_shape::<Vec<Project>>();
        assert_eq!(shape.wrap_value(json!([1])), json!({"items": [1]}));
    }

    #[test]
    fn scalars_and_options_are_wrapped_under_value() {
        assert_eq!(output_shape::<u64>(), OutputShape::Wrapped("value"));
        assert_eq!(
            output_shape::<Option<Project>>(),
            OutputShape::Wrapped("value")
        );
        assert_eq!(
            output_schema::<u64>()["properties"]["value"]["type"],
            "integer"
        );
    }
}
