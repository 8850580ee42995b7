//! The local spool: `pending/YYYY/MM/NAME.json` until uploaded, then
//! `uploaded/YYYY/MM/NAME.json`. Files are written atomically (temp + rename).

use std::path::{Path, PathBuf};

use serde_json::Value;

/// A spool folder.
#[derive(Debug, Clone)]
pub struct Spool {
    root: PathBuf,
}

/// A document waiting for upload: its path and its key below the prefix
/// (`YYYY/MM/NAME.json`).
#[derive(Debug, Clone)]
pub struct Pending {
    pub path: PathBuf,
    pub key: String,
}

impl Spool {
    /// Opens (creating) the spool at `root`.
    ///
    /// # Errors
    /// If the folders cannot be created.
    pub fn open(root: PathBuf) -> std::io::Result<Spool> {
        std::fs::create_dir_all(root.join("pending"))?;
        std::fs::create_dir_all(root.join("uploaded"))?;
        Ok(Spool { root })
    }

    /// Writes `doc` as `pending/YYYY/MM/name` (this month, UTC); returns its key.
    ///
    /// # Errors
    /// If the file cannot be written.
    pub fn write(&self, name: &str, doc: &Value) -> std::io::Result<String> {
        let key = format!("{}/{name}", chrono::Utc::now().format("%Y/%m"));
        let path = self.root.join("pending").join(&key);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(doc).unwrap_or_default())?;
        std::fs::rename(tmp, &path)?;
        Ok(key)
    }

    /// Documents waiting for upload, oldest key first.
    pub fn pending(&self) -> Vec<Pending> {
        let base = self.root.join("pending");
        let mut out = Vec::new();
        collect(&base, &base, &mut out);
        out.sort_by(|a, b| a.key.cmp(&b.key));
        out
    }

    /// Moves an uploaded document out of `pending/`.
    ///
    /// # Errors
    /// If the file cannot be moved.
    pub fn mark_uploaded(&self, p: &Pending) -> std::io::Result<()> {
        let dest = self.root.join("uploaded").join(&p.key);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::rename(&p.path, dest)
    }
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<Pending>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, out);
        } else if path.extension().is_some_and(|e| e == "json")
            && let Ok(rel) = path.strip_prefix(base)
        {
            let key = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push(Pending { path, key });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documents_move_from_pending_to_uploaded() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path().to_path_buf()).unwrap();
        let key = spool
            .write("quotation_quot_1.json", &json!({"a": 1}))
            .unwrap();
        let pending = spool.pending();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].key, key);
        assert!(
            key.ends_with("/quotation_quot_1.json")
                && key.len() == "YYYY/MM/quotation_quot_1.json".len()
        );
        spool.mark_uploaded(&pending[0]).unwrap();
        assert!(spool.pending().is_empty());
        assert!(dir.path().join("uploaded").join(&key).exists());
    }
}
