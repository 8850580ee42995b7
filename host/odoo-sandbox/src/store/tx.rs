//! A call's transaction over the store: every mutation is journalled so the call can be
//! rolled back whole (Odoo runs each RPC call in one PostgreSQL transaction) and so the
//! persistence layer learns exactly which rows changed.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::{Record, State};
use crate::context::Context;

/// Rows changed by a committed call: `None` means deleted.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    pub(crate) rows: Vec<(&'static str, i64, Option<Record>)>,
    pub(crate) next_ids: Vec<(&'static str, i64)>,
}

/// A transaction: exclusive access to the state plus an undo journal.
pub(crate) struct Tx<'a> {
    state: &'a mut State,
    /// The first-seen value of every touched row (`None`: it did not exist).
    undo: BTreeMap<(&'static str, i64), Option<Record>>,
    /// The first-seen `next_id` of every table that allocated an id.
    next_ids: HashMap<&'static str, i64>,
    /// The calling user.
    pub(crate) uid: i64,
    /// The transaction's timestamp, `YYYY-MM-DD HH:MM:SS` UTC (Odoo's `fields.Datetime.now()`
    /// is also fixed per transaction).
    pub(crate) now: String,
    /// The call's context (`active_test`, `default_*`).
    pub(crate) ctx: Context,
}

impl<'a> Tx<'a> {
    pub(crate) fn begin(state: &'a mut State, uid: i64, now: String, ctx: Context) -> Self {
        Tx {
            state,
            undo: BTreeMap::new(),
            next_ids: HashMap::new(),
            uid,
            now,
            ctx,
        }
    }

    /// Read access to the state as modified so far.
    pub(crate) fn state(&self) -> &State {
        self.state
    }

    fn journal(&mut self, model: &'static str, id: i64) {
        if !self.undo.contains_key(&(model, id)) {
            let old = self.state.row(model, id).cloned();
            self.undo.insert((model, id), old);
        }
    }

    /// Allocates the next id of a table.
    pub(crate) fn alloc_id(&mut self, model: &'static str) -> i64 {
        let table = self.state.table_mut(model);
        self.next_ids.entry(model).or_insert(table.next_id);
        let id = table.next_id.max(1);
        table.next_id = id + 1;
        id
    }

    /// Inserts a row under a given id (seed loading) or a freshly allocated one.
    pub(crate) fn insert(&mut self, model: &'static str, id: i64, record: Record) {
        self.journal(model, id);
        let table = self.state.table_mut(model);
        if id >= table.next_id {
            self.next_ids.entry(model).or_insert(table.next_id);
            table.next_id = id + 1;
        }
        table.rows.insert(id, record);
    }

    /// Sets one stored field of an existing row.
    pub(crate) fn set(&mut self, model: &'static str, id: i64, field: &str, value: Value) {
        self.journal(model, id);
        if let Some(row) = self.state.table_mut(model).rows.get_mut(&id) {
            row.insert(field.to_owned(), value);
        }
    }

    /// Deletes a row.
    pub(crate) fn remove(&mut self, model: &'static str, id: i64) {
        self.journal(model, id);
        self.state.table_mut(model).rows.remove(&id);
    }

    /// Rows of `model` touched so far (created, written or deleted).
    pub(crate) fn touched(&self, model: &str) -> Vec<i64> {
        self.undo
            .keys()
            .filter(|(m, _)| *m == model)
            .map(|(_, id)| *id)
            .collect()
    }

    /// A touched row as it was before the transaction.
    pub(crate) fn original(&self, model: &'static str, id: i64) -> Option<&Record> {
        self.undo.get(&(model, id)).and_then(Option::as_ref)
    }

    /// The net changes, for write-through persistence. Rows restored to their original
    /// value are still listed; writing them again is harmless.
    pub(crate) fn changes(&self) -> Changes {
        let rows = self
            .undo
            .keys()
            .map(|&(model, id)| (model, id, self.state.row(model, id).cloned()))
            .collect();
        let next_ids = self
            .next_ids
            .keys()
            .map(|&model| (model, self.state.table(model).next_id))
            .collect();
        Changes { rows, next_ids }
    }

    /// Restores every touched row and id counter.
    pub(crate) fn rollback(self) {
        for ((model, id), old) in self.undo {
            let rows = &mut self.state.table_mut(model).rows;
            match old {
                Some(record) => rows.insert(id, record),
                None => rows.remove(&id),
            };
        }
        for (model, next_id) in self.next_ids {
            self.state.table_mut(model).next_id = next_id;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rollback_restores_rows_and_counters() {
        let mut state = State::new();
        let mut rec = Record::new();
        rec.insert("name".into(), json!("kept"));
        state.table_mut("crm.tag").rows.insert(1, rec);
        state.table_mut("crm.tag").next_id = 2;

        let mut tx = Tx::begin(
            &mut state,
            2,
            "2026-01-01 00:00:00".into(),
            Context::default(),
        );
        tx.set("crm.tag", 1, "name", json!("changed"));
        let id = tx.alloc_id("crm.tag");
        tx.insert("crm.tag", id, Record::new());
        assert_eq!(tx.changes().rows.len(), 2);
        tx.rollback();

        assert_eq!(state.str_field("crm.tag", 1, "name"), Some("kept"));
        assert!(!state.exists("crm.tag", 2));
        assert_eq!(state.table("crm.tag").next_id, 2);
    }
}
