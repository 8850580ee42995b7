//! The offline agent's voice: `espeak-ng` as a subprocess (Debian package
//! `espeak-ng`), its 22 050 Hz WAV resampled to the conversation's output rate.
//!
//! Never fails: without espeak-ng, or when it errs or hangs, the agent hums a
//! synthetic voice of the same length (see [`audio::hum`]) and says so in the
//! `engine` it reports, so a missing package shows up in the metadata, not as silence.

use std::time::Duration;

use super::subprocess;
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
    let mut command = tokio::process::Command::new("espeak-ng");
    command.args(["-v", voice, "-s", "165", "--stdout", "--stdin"]);
    let wav = subprocess::run(command, format!("{text}\n").into_bytes(), SYNTH_TIMEOUT).await?;
    audio::parse_wav(&wav).map_err(|e| e.to_string())
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
