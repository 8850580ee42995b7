//! Odoo's many2one values and its habit of sending `false` for "empty".
//!
//! `read`/`search_read` return a many2one as `[id, "display name"]` and an empty one as
//! `false`, which neither `Option` nor a tuple accept. [`Many2one`] takes both (and a
//! bare id or `null`), and serializes as `{"id": .., "name": ..}` or `null`, which
//! reads better in a tool result. [`false_as_none`] does the same for other fields
//! (an unset char field is `false` too).

use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A many2one value: a record's id and display name, or empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Many2one(Option<(i64, String)>);

impl Many2one {
    /// A reference to record `id` named `name`.
    pub fn new(id: i64, name: impl Into<String>) -> Self {
        Self(Some((id, name.into())))
    }

    /// An empty value (Odoo's `false`).
    pub fn empty() -> Self {
        Self(None)
    }

    /// The record's id, if set.
    pub fn id(&self) -> Option<i64> {
        self.0.as_ref().map(|(id, _)| *id)
    }

    /// The record's display name, if set (empty if Odoo sent only the id).
    pub fn name(&self) -> Option<&str> {
        self.0.as_ref().map(|(_, name)| name.as_str())
    }

    /// True for Odoo's `false`.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The id and name, if set.
    pub fn into_inner(self) -> Option<(i64, String)> {
        self.0
    }
}

impl<'de> Deserialize<'de> for Many2one {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Many2oneVisitor)
    }
}

struct Many2oneVisitor;

impl<'de> Visitor<'de> for Many2oneVisitor {
    type Value = Many2one;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a many2one: [id, "name"], false, or an id"#)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Many2one, E> {
        match value {
            false => Ok(Many2one::empty()),
            true => Err(E::invalid_value(de::Unexpected::Bool(true), &self)),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Many2one, E> {
        Ok(Many2one::empty())
    }

    fn visit_none<E: de::Error>(self) -> Result<Many2one, E> {
        Ok(Many2one::empty())
    }

    fn visit_i64<E: de::Error>(self, id: i64) -> Result<Many2one, E> {
        Ok(Many2one::new(id, ""))
    }

    fn visit_u64<E: de::Error>(self, id: u64) -> Result<Many2one, E> {
        let id =
            i64::try_from(id).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(id), &self))?;
        Ok(Many2one::new(id, ""))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Many2one, A::Error> {
        let id: i64 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        // The name is `false` when the user may not read the record's display name.
        let name: NameOrFalse = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        Ok(Many2one::new(id, name.0.unwrap_or_default()))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Many2one, A::Error> {
        // The serialized form, so a result can be read back.
        #[derive(Deserialize)]
        struct Ref {
            id: i64,
            name: String,
        }
        let r = Ref::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Many2one::new(r.id, r.name))
    }
}

impl Serialize for Many2one {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Ref<'a> {
            id: i64,
            name: &'a str,
        }
        match &self.0 {
            Some((id, name)) => Ref { id: *id, name }.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }
}

impl JsonSchema for Many2one {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Many2one".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        if generator.settings().contract.is_deserialize() {
            json_schema!({
                "description": "A many2one: [id, \"name\"], an id, or false/null when empty.",
                "anyOf": [
                    { "type": "array", "prefixItems": [{ "type": "integer" }, { "type": ["string", "boolean"] }], "minItems": 2, "maxItems": 2 },
                    { "type": "integer" },
                    { "type": "object", "properties": { "id": { "type": "integer" }, "name": { "type": "string" } }, "required": ["id", "name"] },
                    { "type": ["boolean", "null"] },
                ]
            })
        } else {
            json_schema!({
                "description": "A related record, or null when empty.",
                "type": ["object", "null"],
                "properties": { "id": { "type": "integer" }, "name": { "type": "string" } },
                "required": ["id", "name"]
            })
        }
    }
}

/// A string that Odoo may send as `false`.
struct NameOrFalse(Option<String>);

impl<'de> Deserialize<'de> for NameOrFalse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        false_as_none(deserializer).map(NameOrFalse)
    }
}

/// Reads Odoo's `false` (or `null`) as `None` and anything else as `Some(T)`, for
/// `#[serde(deserialize_with = "daniel_plugin_sdk::false_as_none", default)]` on an
/// `Option<T>` field such as an unset email.
///
/// # Errors
///
/// The value is neither `false`, `null` nor a `T`.
pub fn false_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum FalseOr<T> {
        False(bool),
        Value(T),
    }
    match Option::<FalseOr<T>>::deserialize(deserializer)? {
        None | Some(FalseOr::False(false)) => Ok(None),
        Some(FalseOr::False(true)) => Err(de::Error::invalid_value(
            de::Unexpected::Bool(true),
            &"false or a value",
        )),
        Some(FalseOr::Value(value)) => Ok(Some(value)),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(value: serde_json::Value) -> Result<Many2one, serde_json::Error> {
        serde_json::from_value(value)
    }

    #[test]
    fn reads_odoo_pairs_and_false() {
        let m = parse(json!([7, "Azure Interior"])).unwrap();
        assert_eq!((m.id(), m.name()), (Some(7), Some("Azure Interior")));
        assert!(parse(json!(false)).unwrap().is_empty());
        assert!(parse(json!(null)).unwrap().is_empty());
        assert_eq!(parse(json!(3)).unwrap(), Many2one::new(3, ""));
        assert_eq!(parse(json!([3, false])).unwrap(), Many2one::new(3, ""));
        assert_eq!(
            parse(json!({"id": 3, "name": "x"})).unwrap(),
            Many2one::new(3, "x")
        );
    }

    #[test]
    fn rejects_other_shapes() {
        assert!(parse(json!(true)).is_err());
        assert!(parse(json!([7])).is_err());
        assert!(parse(json!([7, "a", 1])).is_err());
        assert!(parse(json!("7")).is_err());
    }

    #[test]
    fn serializes_as_object_or_null() {
        assert_eq!(json!(Many2one::new(7, "A")), json!({"id": 7, "name": "A"}));
        assert_eq!(json!(Many2one::empty()), json!(null));
    }

    #[test]
    fn works_inside_records() {
        #[derive(Deserialize)]
        struct Partner {
            parent_id: Many2one,
            #[serde(default, deserialize_with = "false_as_none")]
            email: Option<String>,
        }
        let p: Partner =
            serde_json::from_value(json!({"parent_id": false, "email": false})).unwrap();
        assert!(p.parent_id.is_empty() && p.email.is_none());
        let p: Partner =
            serde_json::from_value(json!({"parent_id": [1, "A"], "email": "a@b.c"})).unwrap();
        assert_eq!(
            (p.parent_id.id(), p.email.as_deref()),
            (Some(1), Some("a@b.c"))
        );
        let p: Partner = serde_json::from_value(json!({"parent_id": [1, "A"]})).unwrap();
        assert!(p.email.is_none());
    }

    #[test]
    fn output_schema_is_object_or_null() {
        let schema = crate::schema::output_schema::<Many2one>();
        assert_eq!(
            schema["properties"]["value"]["type"],
            json!(["object", "null"])
        );
    }
}
