//! Loading seed data: `{"model": [{"id": 1, "field": value, ...}, ...], ...}`.
//!
//! Records go through the normal create path (defaults, conversions, hooks, checks) under
//! their given ids, as Odoo's data files do. Every seed id is reserved first, so records
//! may reference each other in any direction (a company's partner, a partner's company);
//! models are then created in dependency order so hooks see the records they read.
//! Top-level keys starting with `_` are comments.

use serde_json::{Map, Value};

use crate::compute;
use crate::context::Context;
use crate::database::{SYSTEM_UID, now};
use crate::error::Error;
use crate::ops;
use crate::registry::{self, ModelDef};
use crate::store::{Record, State, Tx};

/// The embedded default seed.
pub const DEFAULT_SEED: &str = include_str!("../../../resources/sandbox-seed.json");

/// Creation order: a model's hooks may read the models before it.
const ORDER: &[&str] = &[
    "res.currency",
    "res.country",
    "res.company",
    "res.partner",
    "res.groups",
    "res.users",
    "ir.sequence",
    "uom.uom",
    "account.tax",
    "account.payment.term",
    "product.category",
    "product.product",
    "product.pricelist",
    "product.pricelist.item",
    "crm.team",
    "crm.stage",
    "crm.lost.reason",
    "crm.tag",
    "crm.lead",
    "sale.order",
    "sale.order.line",
    "project.task.type",
    "project.tags",
    "project.project",
    "project.task",
    "mail.message.subtype",
    "mail.message",
];

type Batch = (&'static ModelDef, Vec<(i64, Map<String, Value>)>);

/// Builds a state from seed JSON.
pub(crate) fn load(json: &str) -> Result<State, Error> {
    let doc: Map<String, Value> = match serde_json::from_str(json).map_err(Error::SeedJson)? {
        Value::Object(doc) => doc,
        _ => {
            return Err(Error::SeedShape(
                "the top level must be an object of models".into(),
            ));
        }
    };
    let mut batches = parse(doc)?;
    batches.sort_by_key(|(model, _)| {
        ORDER
            .iter()
            .position(|m| *m == model.name)
            .unwrap_or(ORDER.len())
    });
    let mut state = State::new();
    let mut tx = Tx::begin(&mut state, SYSTEM_UID, now(), Context::default());
    for (model, records) in &batches {
        for (id, _) in records {
            tx.insert(model.name, *id, Record::new());
        }
    }
    for (model, records) in &batches {
        for (id, vals) in records {
            ops::create_with_id(&mut tx, model, Some(*id), vals).map_err(|fault| {
                Error::SeedRecord {
                    model: model.name.to_owned(),
                    id: *id,
                    fault,
                }
            })?;
        }
    }
    compute::recompute(&mut tx);
    drop(tx);
    Ok(state)
}

fn parse(doc: Map<String, Value>) -> Result<Vec<Batch>, Error> {
    let mut batches = Vec::new();
    for (name, records) in doc {
        if name.starts_with('_') {
            continue;
        }
        let model = registry::model(&name)
            .ok_or_else(|| Error::SeedShape(format!("unknown model {name:?}")))?;
        let Value::Array(records) = records else {
            return Err(Error::SeedShape(format!(
                "{name}: expected a list of records"
            )));
        };
        let mut parsed = Vec::with_capacity(records.len());
        for record in records {
            let Value::Object(mut vals) = record else {
                return Err(Error::SeedShape(format!(
                    "{name}: every record must be an object"
                )));
            };
            let id = vals
                .remove("id")
                .and_then(|v| v.as_i64())
                .filter(|id| *id > 0)
                .ok_or_else(|| {
                    Error::SeedShape(format!(
                        "{name}: every record needs a positive integer \"id\""
                    ))
                })?;
            parsed.push((id, vals));
        }
        batches.push((model, parsed));
    }
    Ok(batches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_seed_loads() {
        let state = load(DEFAULT_SEED).expect("embedded seed is valid");
        assert!(state.exists("crm.team", 14));
        assert!(state.exists("product.pricelist", 82));
        for stage in [1, 2, 3, 10] {
            assert!(state.exists("crm.stage", stage), "stage {stage}");
        }
        assert_eq!(state.str_field("res.users", 2, "login"), Some("admin"));
    }

    #[test]
    fn rejects_bad_shapes_and_dangling_references() {
        assert!(matches!(load("[]"), Err(Error::SeedShape(_))));
        assert!(matches!(
            load("{\"no.model\": []}"),
            Err(Error::SeedShape(_))
        ));
        assert!(matches!(
            load("{\"crm.tag\": [{\"name\": \"x\"}]}"),
            Err(Error::SeedShape(_))
        ));
        let dangling = r#"{"crm.lost.reason": [{"id": 1, "name": "x"}], "crm.stage": [{"id": 1, "name": "New", "team_id": 99}]}"#;
        match load(dangling) {
            Err(Error::SeedRecord { model, id, fault }) => {
                assert_eq!((model.as_str(), id), ("crm.stage", 1));
                assert_eq!(fault.code(), 2);
            }
            other => panic!("expected a rejected record, got {other:?}"),
        }
    }
}
