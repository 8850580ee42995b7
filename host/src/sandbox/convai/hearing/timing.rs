//! Whether the words heard account for the speech.
//!
//! Held to a grammar, PocketSphinx always finds *some* sentence of it: speech outside
//! the grammar ("my name is Ana, my e-mail is…") comes back as a wrong sentence
//! ("hey we want the PuduBot 2 robot") with the speech it could not fit labelled as
//! silence, and every word reported as certain. Its word timings (`-time yes`) give it
//! away: in an utterance that was understood, nearly all the speech lies inside words.

/// Speech is a 10 ms frame louder than this (the utterance is levelled first).
const SPEECH_RMS: f32 = 0.01;
/// More speech than this outside the words heard, and the utterance was not understood.
pub(super) const MAX_UNEXPLAINED: f32 = 0.2;
/// Samples per 10 ms frame at 16 kHz.
const FRAME: usize = 160;

/// What the recognizer printed: its sentences, and where its words lie (seconds).
#[derive(Debug, Default, PartialEq)]
pub(super) struct Recognized {
    pub(super) text: String,
    pub(super) words: Vec<(f32, f32)>,
}

/// Reads `pocketsphinx_continuous -time yes` output: per stretch of speech, a line
/// with the sentence, then a `word start end probability` line per segment, where
/// silence and fillers are `<sil>`, `(NULL)`, `[NOISE]`, `++…++`.
pub(super) fn parse(out: &str) -> Recognized {
    let mut sentences = Vec::new();
    let mut words = Vec::new();
    for line in out.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let timed = match fields.as_slice() {
            [word, start, end, prob] => start
                .parse::<f32>()
                .ok()
                .zip(end.parse::<f32>().ok())
                .filter(|_| prob.parse::<f32>().is_ok())
                .map(|span| (*word, span)),
            _ => None,
        };
        match timed {
            // Silence and fillers are no words.
            Some((word, _)) if word.starts_with(['<', '(', '[', '+']) => {}
            Some((_, span)) => words.push(span),
            None if !fields.is_empty() => sentences.push(fields.join(" ")),
            None => {}
        }
    }
    Recognized {
        text: sentences.join(" "),
        words,
    }
}

/// The share of the speech in `samples` (16 kHz) that lies outside every word.
pub(super) fn unexplained(samples: &[i16], words: &[(f32, f32)]) -> f32 {
    let (mut speech, mut outside) = (0u32, 0u32);
    for (i, frame) in samples.chunks(FRAME).enumerate() {
        if crate::avatar::audio::rms(frame) <= SPEECH_RMS {
            continue;
        }
        speech += 1;
        let t = (i as f32 + 0.5) * 0.01;
        if !words
            .iter()
            .any(|&(start, end)| start <= t && t <= end + 0.01)
        {
            outside += 1;
        }
    }
    if speech == 0 {
        return 0.0;
    }
    outside as f32 / speech as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_and_word_spans_are_read_silence_left_out() {
        let out = "how much is a bella bot\n<sil> 0.000 0.070 1.000000\nhow 0.080 0.200 1.000000\n\
                   (NULL) 0.2 0.2 1.0\n[NOISE] 0.21 0.3 0.9\nbot 0.31 0.52 0.998\n\
                   yes please\nyes 1.00 1.20 1.000000\n";
        let r = parse(out);
        assert_eq!(r.text, "how much is a bella bot yes please");
        assert_eq!(r.words, [(0.08, 0.2), (0.31, 0.52), (1.0, 1.2)]);
        assert_eq!(parse(""), Recognized::default());
    }

    #[test]
    fn speech_outside_the_words_is_measured() {
        // 1 s: speech from 0.2 to 0.6 s, silence elsewhere.
        let samples: Vec<i16> = (0..16_000)
            .map(|i| {
                if (3_200..9_600).contains(&i) {
                    if i % 2 == 0 { 3_000 } else { -3_000 }
                } else {
                    0
                }
            })
            .collect();
        assert_eq!(unexplained(&samples, &[(0.2, 0.6)]), 0.0);
        let half = unexplained(&samples, &[(0.2, 0.4)]);
        assert!((half - 0.5).abs() < 0.05, "{half}");
        assert_eq!(unexplained(&samples, &[]), 1.0);
        assert_eq!(
            unexplained(&[0; 1_600], &[]),
            0.0,
            "no speech, nothing unexplained"
        );
    }
}
