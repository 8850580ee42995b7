//! The offline agent's voice: `espeak-ng` as a subprocess (Debian package
//! `espeak-ng`), its 22 050 Hz WAV resampled to the conversation's output rate.
//!
//! Never fails: without espeak-ng, or when it errs or hangs, the agent hums a
//! synthetic voice of the same length (see [`audio::hum`]) and says so in the
//! `engine` it reports, so a missing package shows up in the metadata, not as silence.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;

use crate::avatar::audio;

/// How long one synthesis may take before the hum replaces it.
const SYNTH_TIMEOUT: Duration = Duration::from_secs(10);

/// Which voice to use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum VoiceKind {
    /// espeak-ng when installed, else the hum.
    #[default]
    Auto,
    /// Always the hum (deterministic and cheap: tests and load runs).
    Hum,
}

/// Synthesized speech.
#[derive(Debug, Clone)]
pub(super) struct Speech {
    pub(super) samples: Vec<i16>,
    /// `espeak-ng` or `hum`.
    pub(super) engine: &'static str,
}

/// Speaks `text` in `language` (`es`/`en`) at `rate` Hz.
pub(super) async fn synthesize(kind: VoiceKind, text: &str, language: &str, rate: u32) -> Speech {
    if kind == VoiceKind::Auto {
        match espeak(text, language).await {
            Ok(pcm) => {
                return Speech {
                    samples: audio::resample(&pcm.samples, pcm.rate, rate),
                    engine: "espeak-ng",
                };
            }
            Err(e) => tracing::debug!(error = %e, "espeak-ng unavailable; humming instead"),
        }
    }
    Speech {
        samples: audio::hum(text, rate),
        engine: "hum",
    }
}

/// espeak-ng's speech for `text` at `rate` Hz, or why there is none: a voice for
/// tests and tools that talk to the agent.
///
/// # Errors
/// When espeak-ng is missing, fails or hangs.
pub async fn speak(text: &str, language: &str, rate: u32) -> Result<Vec<i16>, String> {
    let pcm = espeak(text, language).await?;
    Ok(audio::resample(&pcm.samples, pcm.rate, rate))
}

async fn espeak(text: &str, language: &str) -> Result<audio::Pcm, String> {
    let voice = if language == "en" { "en-us" } else { "es-419" };
    // Text goes through stdin, so nothing the user typed can become a flag.
    let mut child = tokio::process::Command::new("espeak-ng")
        .args(["-v", voice, "-s", "165", "--stdout", "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start espeak-ng: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let input = format!("{text}\n");
    let run = async move {
        stdin
            .write_all(input.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        drop(stdin);
        child.wait_with_output().await.map_err(|e| e.to_string())
    };
    let output = tokio::time::timeout(SYNTH_TIMEOUT, run)
        .await
        .map_err(|_| "espeak-ng timed out".to_owned())??;
    if !output.status.success() {
        return Err(format!("espeak-ng exited with {}", output.status));
    }
    audio::parse_wav(&output.stdout).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn always_produces_audible_speech() {
        let s = synthesize(VoiceKind::Auto, "Hola, ¿en qué te ayudo?", "es", 16_000).await;
        assert!(
            s.samples.len() > 16_000 / 2,
            "{} samples from {}",
            s.samples.len(),
            s.engine
        );
        assert!(audio::rms(&s.samples) > 0.005);
        let hum = synthesize(VoiceKind::Hum, "hola", "es", 16_000).await;
        assert_eq!(hum.engine, "hum");
    }
}
