//! Watches `plugins.toml` and the plugin folder; a change (debounced) triggers a
//! reload off the request path.
//!
//! Plugins should be dropped in as a temporary file renamed to `NAME.wasm`, so the
//! watcher never sees a half-written component; the debounce covers editors that
//! write in several steps.

use std::path::{Path, PathBuf};
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::app::AppState;

/// Quiet period before a burst of file events becomes one reload. Short, because
/// drops are renames (one event); a file caught half-written is rejected and the
/// next event reloads it, while the old revision keeps serving.
const DEBOUNCE: Duration = Duration::from_millis(25);

/// Starts watching; the returned task ends at `shutdown`.
///
/// # Errors
/// If the folders cannot be watched (for example the plugin folder cannot be created).
pub fn spawn(
    app: AppState,
    shutdown: CancellationToken,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let config = app.config();
    let config_file = absolute(&config.source);
    let plugin_dir = absolute(&config.plugin_dir);
    std::fs::create_dir_all(&plugin_dir)?;
    let config_dir = config_file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let (tx, mut rx) = mpsc::channel::<()>(1);
    let (file_name, dir) = (config_file.clone(), plugin_dir.clone());
    let (raw_tx, raw_rx) = std_mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(DEBOUNCE, None, raw_tx)?;
    debouncer.watch(&plugin_dir, RecursiveMode::NonRecursive)?;
    debouncer.watch(&config_dir, RecursiveMode::NonRecursive)?;
    // A plain thread drains notify's channel: notify calls back on its own thread.
    std::thread::Builder::new()
        .name("daniel-watch".into())
        .spawn(move || {
            for result in raw_rx {
                let Ok(events) = result else { continue };
                let relevant = events.iter().flat_map(|e| e.paths.iter()).any(|p| {
                    p == &file_name
                        || (p.parent() == Some(dir.as_path())
                            && p.extension().is_some_and(|e| e == "wasm"))
                });
                // A full channel means a reload is already pending: that one will see this change too.
                if relevant && tx.try_send(()).is_err() && tx.is_closed() {
                    break;
                }
            }
        })?;
    tracing::info!(config = %config_file.display(), plugins = %plugin_dir.display(), "watching for plugin changes");
    Ok(tokio::spawn(async move {
        let _debouncer = debouncer;
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                Some(()) = rx.recv() => {
                    let outcome = app.reload().await;
                    if let Some(e) = &outcome.config_error {
                        tracing::warn!(error = %e, "configuration rejected; previous configuration stays in force");
                    }
                }
            }
        }
    }))
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}
