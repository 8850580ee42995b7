//! The offline agent's ears: CMU PocketSphinx (`pocketsphinx_continuous`, Debian
//! packages `pocketsphinx` and `pocketsphinx-en-us`) as a subprocess, held to a
//! grammar of the sales conversation built from the catalogue ([`grammar`]).
//!
//! A general English language model hears synthetic and most real voices poorly
//! (it took "a quotation for two robots" for "shoot or two robots"); a grammar of
//! what customers say to this agent hears them well. What lies outside it (names,
//! e-mail addresses, Spanish: no Spanish model is packaged) is not understood, and
//! the agent asks for it typed.
//!
//! Never fails the conversation: without the packages, or when the recognizer errs,
//! a turn is [`Heard::Unavailable`] and the agent says so.

mod grammar;
mod lexicon;
mod timing;

use std::path::PathBuf;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use tokio::sync::{OnceCell, Semaphore};

use super::agent::Product;
use super::subprocess;
use crate::avatar::audio;
use grammar::SpokenProduct;

/// The English acoustic model and dictionary of Debian's `pocketsphinx-en-us`.
const MODEL_DIR: &str = "/usr/share/pocketsphinx/model/en-us";
const RECOGNIZER: &str = "pocketsphinx_continuous";
/// How long one utterance may take to recognize.
const RECOGNIZE_TIMEOUT: Duration = Duration::from_secs(20);
/// Recognitions running at once, host-wide: each is a process (about 17 MB, 0.1 s
/// of a core for a 3.7 s utterance, measured here) and the machine has two cores.
static RECOGNIZERS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));

/// Whether spoken turns are recognized.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HearingKind {
    /// PocketSphinx when installed, else a placeholder transcript.
    #[default]
    Auto,
    /// Never: the placeholder (deterministic and cheap: tests and load runs).
    Off,
}

/// What an utterance was heard as.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Heard {
    /// Words of the grammar, as text (`"I would like a quotation for 2 KettyBot Pro"`).
    Text(String),
    /// Not understood: nothing of the grammar was heard, or the speech lay mostly
    /// outside the words heard (see [`timing`]), or the utterance came in a flood.
    Nothing,
    /// No recognizer here (or it failed).
    Unavailable,
}

/// A recognizer ready for one catalogue: its grammar and dictionary on disk.
#[derive(Debug)]
pub(super) struct Ears {
    dir: tempfile::TempDir,
    products: Vec<SpokenProduct>,
}

/// The stand-in's ears, made on first use (reading the dictionary and writing the
/// grammar costs a few tens of milliseconds, paid only if someone speaks).
#[derive(Debug, Default)]
pub(super) struct LazyEars(OnceCell<Option<Arc<Ears>>>);

impl LazyEars {
    pub(super) async fn get(&self, catalogue: &[Product]) -> Option<Arc<Ears>> {
        self.0
            .get_or_init(|| async {
                let catalogue = catalogue.to_vec();
                let made = tokio::task::spawn_blocking(move || Ears::new(&catalogue)).await;
                match made {
                    Ok(Ok(ears)) => {
                        tracing::info!(
                            products = ears.products.len(),
                            "offline speech recognition ready (pocketsphinx, English)"
                        );
                        Some(Arc::new(ears))
                    }
                    Ok(Err(why)) => {
                        tracing::warn!(
                            "offline speech recognition unavailable: {why}; spoken turns get a \
                             placeholder (`make deps` installs pocketsphinx)"
                        );
                        None
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "preparing speech recognition panicked");
                        None
                    }
                }
            })
            .await
            .clone()
    }
}

/// Whether this machine can recognize speech offline.
///
/// # Errors
/// What is missing, and which package brings it.
pub fn available() -> Result<(), String> {
    which(RECOGNIZER)
        .ok_or_else(|| format!("{RECOGNIZER} is not installed (Debian package pocketsphinx)"))?;
    let model = PathBuf::from(MODEL_DIR);
    if !model.join("cmudict-en-us.dict").is_file() {
        return Err(format!(
            "no English model in {MODEL_DIR} (Debian package pocketsphinx-en-us)"
        ));
    }
    Ok(())
}

impl Ears {
    /// Writes the grammar and dictionary for `catalogue`.
    ///
    /// # Errors
    /// When PocketSphinx or its English model is not installed, or the files cannot
    /// be written.
    fn new(catalogue: &[Product]) -> Result<Ears, String> {
        available()?;
        let cmudict_path = PathBuf::from(MODEL_DIR).join("cmudict-en-us.dict");
        let cmudict = std::fs::read_to_string(&cmudict_path)
            .map_err(|e| format!("cannot read {}: {e}", cmudict_path.display()))?;
        let mut products = grammar::speakable(catalogue);
        let words = grammar::vocabulary(&products);
        let mut lexicon = lexicon::from_cmudict(&cmudict, &words);
        // Words the dictionary lacks come from espeak-ng; a product with a word
        // neither knows cannot be said, so it leaves the grammar.
        for word in words {
            if !lexicon.contains_key(&word)
                && let Some(p) = lexicon::from_espeak(&word)
            {
                lexicon.insert(word, vec![p]);
            }
        }
        products.retain(|p| p.words.iter().all(|w| lexicon.contains_key(w)));
        if let Some(missing) = grammar::vocabulary(&products)
            .into_iter()
            .find(|w| !lexicon.contains_key(w))
        {
            return Err(format!("no pronunciation for \"{missing}\""));
        }
        let dir = tempfile::Builder::new()
            .prefix("daniel-hearing-")
            .tempdir()
            .map_err(|e| format!("cannot make a folder for the grammar: {e}"))?;
        let write = |name: &str, text: String| {
            std::fs::write(dir.path().join(name), text)
                .map_err(|e| format!("cannot write {name}: {e}"))
        };
        write("sales.gram", grammar::jsgf(&products))?;
        write("sales.dict", lexicon::render(&lexicon))?;
        Ok(Ears { dir, products })
    }

    /// Recognizes one utterance of 16 kHz mono PCM16.
    pub(super) async fn hear(&self, samples: &[i16]) -> Heard {
        let Ok(_permit) = RECOGNIZERS.acquire().await else {
            return Heard::Unavailable;
        };
        let levelled = level(samples);
        match self.recognize(&levelled).await {
            Ok(heard) if heard.text.is_empty() => Heard::Nothing,
            Ok(heard) => {
                let unexplained = timing::unexplained(&levelled, &heard.words);
                if unexplained > timing::MAX_UNEXPLAINED {
                    tracing::debug!(
                        heard = %heard.text,
                        unexplained,
                        "speech outside the grammar: not understood"
                    );
                    return Heard::Nothing;
                }
                Heard::Text(grammar::to_text(&heard.text, &self.products))
            }
            Err(e) => {
                tracing::warn!(error = %e, "speech recognition failed");
                Heard::Unavailable
            }
        }
    }

    async fn recognize(&self, samples: &[i16]) -> Result<timing::Recognized, String> {
        let path = |name: &str| self.dir.path().join(name);
        // Raw PCM through stdin: the recognizer takes a file not named `.wav` as raw
        // 16 kHz samples, so no audio touches the disk.
        let mut command = tokio::process::Command::new(RECOGNIZER);
        command
            .arg("-infile")
            .arg("/dev/stdin")
            .arg("-jsgf")
            .arg(path("sales.gram"))
            .arg("-dict")
            .arg(path("sales.dict"))
            .args(["-logfn", "/dev/null", "-time", "yes"]);
        let out = subprocess::run(command, audio::to_bytes(samples), RECOGNIZE_TIMEOUT).await?;
        Ok(timing::parse(&String::from_utf8_lossy(&out)))
    }
}

/// Speech brought to the level the model was trained on. Browsers' automatic gain
/// control sends speech loud and compressed, close to clipping, and the model then
/// misses words it hears at a normal level.
fn level(samples: &[i16]) -> Vec<i16> {
    /// About -28 dBFS: ordinary speech into a microphone.
    const TARGET_RMS: f32 = 0.04;
    let rms = audio::rms(samples);
    if rms <= f32::EPSILON {
        return samples.to_vec();
    }
    let gain = (TARGET_RMS / rms).clamp(0.1, 10.0);
    samples
        .iter()
        .map(|&s| (f32::from(s) * gain).clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16)
        .collect()
}

/// The path of `program` on `PATH`.
fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Speech recognition is required where `DANIEL_REQUIRE_SPEECH` is set (CI);
    /// elsewhere a machine without the packages skips, saying so.
    fn ears_or_skip(catalogue: &[Product]) -> Option<Ears> {
        match Ears::new(catalogue) {
            Ok(ears) => Some(ears),
            Err(why) if std::env::var_os("DANIEL_REQUIRE_SPEECH").is_none() => {
                eprintln!("skipped: {why} (`make deps` installs pocketsphinx)");
                None
            }
            Err(why) => panic!("speech recognition is required here: {why}"),
        }
    }

    async fn espeak_16k(text: &str) -> Vec<i16> {
        let speech = super::super::speak(text, "en", 16_000)
            .await
            .expect("espeak-ng (make deps installs it)");
        // The pause around an utterance that the conversation's VAD keeps.
        let mut samples = vec![0; 16_000 * 4 / 10];
        samples.extend(speech);
        samples.extend(vec![0; 16_000 * 6 / 10]);
        samples
    }

    #[tokio::test]
    async fn spoken_requests_are_heard_as_the_words_and_products_said() {
        let catalogue = super::super::catalogue(daniel_odoo_sandbox::DEFAULT_SEED);
        let Some(ears) = ears_or_skip(&catalogue) else {
            return;
        };
        // What was said, and the words that carry its meaning (articles may differ:
        // "the" and "a" sound alike to the model).
        let cases: [(&str, &[&str]); 5] = [
            (
                "I would like a quotation for two KettyBot Pro",
                &["I would like a quotation for 2 KettyBot Pro"],
            ),
            ("How much is the BellaBot?", &["How much is", "BellaBot"]),
            ("What robots do you sell?", &["What robots do you sell"]),
            (
                "I need a quote for five SwiftBot",
                &["I need a quote for 5 SwiftBot"],
            ),
            // The example the agent gives when it did not understand.
            (
                "I'd like a quote for two KettyBot Pro",
                &["I'd like a quote for 2 KettyBot Pro"],
            ),
        ];
        for (said, meaning) in cases {
            let samples = espeak_16k(said).await;
            let heard = ears.hear(&samples).await;
            let Heard::Text(text) = &heard else {
                panic!("{said}: {heard:?}")
            };
            assert!(meaning.iter().all(|m| text.contains(m)), "{said}: {text}");
        }
    }

    #[test]
    fn loud_speech_is_brought_down_and_quiet_speech_up() {
        let loud: Vec<i16> = (0..1600)
            .map(|i| if i % 2 == 0 { 8_000 } else { -8_000 })
            .collect();
        assert!((audio::rms(&level(&loud)) - 0.04).abs() < 0.001);
        let quiet: Vec<i16> = loud.iter().map(|s| s / 20).collect();
        assert!((audio::rms(&level(&quiet)) - 0.04).abs() < 0.001);
        assert_eq!(level(&[0; 10]), [0; 10]);
    }

    #[tokio::test]
    async fn speech_outside_the_grammar_is_not_taken_for_a_sentence_of_it() {
        let catalogue = super::super::catalogue(daniel_odoo_sandbox::DEFAULT_SEED);
        let Some(ears) = ears_or_skip(&catalogue) else {
            return;
        };
        // Forced onto the grammar, this came back as "hey we want the pudu bot two
        // robot": a product and a quantity nobody asked for.
        for said in [
            "My name is Ana Ruiz and my email is ana at hotel sol dot mx",
            "Can you send it to my office tomorrow morning?",
        ] {
            let samples = espeak_16k(said).await;
            assert_eq!(ears.hear(&samples).await, Heard::Nothing, "{said}");
        }
    }

    #[tokio::test]
    async fn silence_is_heard_as_nothing() {
        let catalogue = super::super::catalogue(daniel_odoo_sandbox::DEFAULT_SEED);
        let Some(ears) = ears_or_skip(&catalogue) else {
            return;
        };
        assert_eq!(ears.hear(&[0; 16_000]).await, Heard::Nothing);
    }
}
