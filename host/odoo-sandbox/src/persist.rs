//! SQLite persistence: one row per record, `(model, id, json)`, plus each table's next id.
//!
//! Written through after every committed call, inside one SQLite transaction, so the file
//! always holds the state after some complete call. The schema is deliberately a key-value
//! shape: the registry owns the structure, and adding a field needs no migration (missing
//! keys read as the field's empty value).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::error::Error;
use crate::registry;
use crate::store::{Changes, State};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    model TEXT NOT NULL,
    id INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (model, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS next_ids (
    model TEXT PRIMARY KEY,
    next_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
";

/// The marker written once the seed has been saved; without it the file counts as empty.
const SEEDED_KEY: &str = "seeded_at";

/// An open SQLite file.
pub(crate) struct SqliteStore {
    conn: Connection,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the file and its tables.
    pub(crate) fn open(path: &Path) -> Result<Self, Error> {
        let sqlite = |source| Error::Sqlite {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open(path).map_err(sqlite)?;
        conn.execute_batch(SCHEMA).map_err(sqlite)?;
        Ok(SqliteStore {
            conn,
            path: path.to_owned(),
        })
    }

    fn err(&self, source: rusqlite::Error) -> Error {
        Error::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// The stored state, or `None` when the file was never seeded.
    pub(crate) fn load(&self) -> Result<Option<State>, Error> {
        let seeded: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [SEEDED_KEY], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.err(e))?;
        if seeded.is_none() {
            return Ok(None);
        }
        let mut state = State::new();
        let mut stmt = self
            .conn
            .prepare("SELECT model, id, data FROM records")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (model, id, data) = row.map_err(|e| self.err(e))?;
            let Some(mdef) = registry::model(&model) else {
                tracing::warn!(
                    model,
                    id,
                    "odoo_sandbox.load skips a record of an unknown model"
                );
                continue;
            };
            let Ok(Value::Object(record)) = serde_json::from_str(&data) else {
                return Err(Error::StoredRecord {
                    path: self.path.clone(),
                    model,
                    id,
                });
            };
            let table = state.table_mut(mdef.name);
            table.rows.insert(id, record);
            table.next_id = table.next_id.max(id + 1);
        }
        let mut stmt = self
            .conn
            .prepare("SELECT model, next_id FROM next_ids")
            .map_err(|e| self.err(e))?;
        let counters = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(|e| self.err(e))?;
        for counter in counters {
            let (model, next_id) = counter.map_err(|e| self.err(e))?;
            if let Some(mdef) = registry::model(&model) {
                let table = state.table_mut(mdef.name);
                table.next_id = table.next_id.max(next_id);
            }
        }
        Ok(Some(state))
    }

    /// Replaces the file's contents with a whole state (after seeding).
    pub(crate) fn save_all(&mut self, state: &State) -> Result<(), Error> {
        let path = self.path.clone();
        let sqlite = |source| Error::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sqlite)?;
        tx.execute("DELETE FROM records", []).map_err(sqlite)?;
        tx.execute("DELETE FROM next_ids", []).map_err(sqlite)?;
        {
            let mut insert = tx
                .prepare("INSERT INTO records (model, id, data) VALUES (?1, ?2, ?3)")
                .map_err(sqlite)?;
            let mut counter = tx
                .prepare("INSERT INTO next_ids (model, next_id) VALUES (?1, ?2)")
                .map_err(sqlite)?;
            for (model, table) in state.tables() {
                for (id, record) in &table.rows {
                    let json = Value::Object(record.clone()).to_string();
                    insert.execute(params![model, id, json]).map_err(sqlite)?;
                }
                counter
                    .execute(params![model, table.next_id])
                    .map_err(sqlite)?;
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
            params![SEEDED_KEY, crate::database::now()],
        )
        .map_err(sqlite)?;
        tx.commit().map_err(sqlite)
    }

    /// Writes one call's changes atomically.
    pub(crate) fn apply(&mut self, changes: &Changes) -> Result<(), rusqlite::Error> {
        let tx = self.conn.transaction()?;
        {
            let mut upsert =
                tx.prepare("INSERT OR REPLACE INTO records (model, id, data) VALUES (?1, ?2, ?3)")?;
            let mut delete = tx.prepare("DELETE FROM records WHERE model = ?1 AND id = ?2")?;
            for (model, id, record) in &changes.rows {
                match record {
                    Some(record) => {
                        let json = Value::Object(record.clone()).to_string();
                        upsert.execute(params![model, id, json])?;
                    }
                    None => {
                        delete.execute(params![model, id])?;
                    }
                }
            }
            let mut counter =
                tx.prepare("INSERT OR REPLACE INTO next_ids (model, next_id) VALUES (?1, ?2)")?;
            for (model, next_id) in &changes.next_ids {
                counter.execute(params![model, next_id])?;
            }
        }
        tx.commit()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::testutil::{call, ids, ok, temp_path};
    use crate::{DEFAULT_SEED, Database, Error};

    struct TempFile(std::path::PathBuf);

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn round_trip_through_sqlite() {
        let file = TempFile(temp_path("roundtrip.sqlite"));
        let (lead, tag) = {
            let db = Database::open(DEFAULT_SEED, &file.0).unwrap();
            let lead = ok(
                &db,
                "crm.lead",
                "create",
                json!([{"name": "Persistida", "tag_ids": [[6, 0, [1, 2]]]}]),
                Value::Null,
            );
            ok(
                &db,
                "crm.lead",
                "write",
                json!([[1], {"name": "Renombrada"}]),
                Value::Null,
            );
            ok(
                &db,
                "sale.order",
                "create",
                json!([{"partner_id": 14, "order_line": [[0, 0, {"product_id": 26153}]]}]),
                Value::Null,
            );
            let tag = ok(
                &db,
                "crm.tag",
                "create",
                json!([{"name": "Temporal"}]),
                Value::Null,
            );
            ok(
                &db,
                "crm.tag",
                "unlink",
                json!([[tag.clone()]]),
                Value::Null,
            );
            // A failing call must not reach the file.
            assert!(
                call(
                    &db,
                    "crm.lead",
                    "create",
                    json!([{"name": "x", "stage_id": 999}]),
                    Value::Null
                )
                .is_err()
            );
            (lead, tag.as_i64().unwrap())
        };
        // An empty seed proves the data comes from the file.
        let db = Database::open("{}", &file.0).unwrap();
        let row = ok(
            &db,
            "crm.lead",
            "read",
            json!([[lead], ["name", "tag_ids", "stage_id"]]),
            Value::Null,
        );
        assert_eq!(row[0]["name"], json!("Persistida"));
        assert_eq!(row[0]["tag_ids"], json!([1, 2]));
        assert_eq!(row[0]["stage_id"], json!([1, "New"]));
        assert_eq!(
            ok(&db, "crm.lead", "read", json!([[1], ["name"]]), Value::Null)[0]["name"],
            json!("Renombrada")
        );
        assert_eq!(
            ok(
                &db,
                "crm.lead",
                "search_count",
                json!([[["name", "=", "x"]]]),
                Value::Null
            ),
            json!(0)
        );
        let orders = ok(
            &db,
            "sale.order",
            "search_read",
            json!([[["name", "=", "S00005"]], ["amount_total"]]),
            Value::Null,
        );
        assert_eq!(orders[0]["amount_total"], json!(214600.0));
        // Sequences and id counters continue; deleted ids are not reused.
        let next = ok(
            &db,
            "sale.order",
            "create",
            json!([{"partner_id": 14}]),
            Value::Null,
        );
        assert_eq!(
            ok(
                &db,
                "sale.order",
                "read",
                json!([[next], ["name"]]),
                Value::Null
            )[0]["name"],
            json!("S00006")
        );
        let new_tag = ok(
            &db,
            "crm.tag",
            "create",
            json!([{"name": "Otra"}]),
            Value::Null,
        );
        assert_eq!(new_tag.as_i64().unwrap(), tag + 1);
        assert!(
            ids(&ok(&db, "crm.tag", "search", json!([[]]), Value::Null))
                .iter()
                .all(|&t| t != tag)
        );
        assert_eq!(db.authenticate("admin", "admin"), Some(2));
    }

    #[test]
    fn corrupt_rows_are_reported() {
        let file = TempFile(temp_path("corrupt.sqlite"));
        drop(Database::open(DEFAULT_SEED, &file.0).unwrap());
        let conn = rusqlite::Connection::open(&file.0).unwrap();
        conn.execute(
            "UPDATE records SET data = 'not json' WHERE model = 'crm.lead' AND id = 1",
            [],
        )
        .unwrap();
        drop(conn);
        match Database::open(DEFAULT_SEED, &file.0) {
            Err(Error::StoredRecord { model, id, .. }) => {
                assert_eq!((model.as_str(), id), ("crm.lead", 1))
            }
            other => panic!("expected a stored-record error, got {other:?}"),
        }
    }

    #[test]
    fn unusable_path_is_an_error() {
        let dir = temp_path("not-a-dir");
        let path = dir.join("nested").join("db.sqlite");
        assert!(matches!(
            Database::open(DEFAULT_SEED, &path),
            Err(Error::Sqlite { .. })
        ));
    }
}
