//! Configuration errors: every message names where the problem is and why.

use std::fmt;
use std::path::PathBuf;

/// One thing wrong with the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line, when it could be located.
    pub line: Option<usize>,
    /// Dotted key path, e.g. `plugins.crm.instance`.
    pub key: String,
    /// What is wrong, naming the value and the rule.
    pub message: String,
}

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", render(path, problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

fn render(path: &std::path::Path, problems: &[Problem]) -> String {
    let mut out = format!("invalid configuration {}", path.display());
    for p in problems {
        out.push_str("\n  ");
        out.push_str(&p.to_string_in(path));
    }
    out
}

impl Problem {
    fn to_string_in(&self, path: &std::path::Path) -> String {
        match self.line {
            Some(line) => format!("{}:{line}: {}: {}", path.display(), self.key, self.message),
            None => format!("{}: {}: {}", path.display(), self.key, self.message),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}: {}", self.key, self.message),
            None => write!(f, "{}: {}", self.key, self.message),
        }
    }
}
