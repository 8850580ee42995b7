//! The stand-in's helper programs (espeak-ng, PocketSphinx): run one with its input
//! on stdin and take its stdout, bounded in time, killed if the conversation ends
//! first.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// Runs `command` with `input` on stdin; its stdout when it exits successfully.
///
/// # Errors
/// When it cannot start, runs past `timeout` or exits with a failure, the reason,
/// naming the program.
pub(super) async fn run(
    mut command: Command,
    input: Vec<u8>,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    let program = command
        .as_std()
        .get_program()
        .to_string_lossy()
        .into_owned();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let exchange = async move {
        // A program that stops reading early is not an error by itself: its exit
        // status and output say how it went.
        let _ = stdin.write_all(&input).await;
        drop(stdin);
        child.wait_with_output().await.map_err(|e| e.to_string())
    };
    let output = tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| format!("{program} timed out"))??;
    if !output.status.success() {
        return Err(format!("{program} exited with {}", output.status));
    }
    Ok(output.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn output_failures_and_timeouts_are_told_apart() {
        let out = run(
            Command::new("cat"),
            b"hello".to_vec(),
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(out.unwrap(), b"hello");
        let failed = run(Command::new("false"), Vec::new(), Duration::from_secs(5)).await;
        assert!(failed.unwrap_err().starts_with("false exited with"));
        let mut sleep = Command::new("sleep");
        sleep.arg("10");
        let slow = run(sleep, Vec::new(), Duration::from_millis(100)).await;
        assert_eq!(slow.unwrap_err(), "sleep timed out");
        let missing = run(
            Command::new("no-such-program-here"),
            Vec::new(),
            Duration::from_secs(1),
        )
        .await;
        assert!(
            missing
                .unwrap_err()
                .starts_with("cannot start no-such-program-here")
        );
    }
}
