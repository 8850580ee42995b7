//! PCM16 helpers for the relay and the offline voice: WAV parsing, resampling,
//! level, and a synthetic voice for machines without a TTS engine.
//!
//! Audio here is always 16-bit signed little-endian mono. Resampling is linear
//! interpolation: plenty for speech at 16–24 kHz and microseconds per 100 ms chunk.

use base64::Engine as _;

/// A decoded WAV: samples and their rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Pcm {
    pub rate: u32,
    pub samples: Vec<i16>,
}

/// Why bytes are not a usable WAV.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WavError {
    #[error("not a RIFF/WAVE file")]
    NotWav,
    #[error(
        "unsupported WAV format (need PCM16 mono, got format {format}, {channels} channels, {bits} bits)"
    )]
    Unsupported {
        format: u16,
        channels: u16,
        bits: u16,
    },
    #[error("no data chunk")]
    NoData,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Parses a PCM16 mono WAV. A streamed WAV (as `espeak-ng --stdout` writes) carries
/// placeholder sizes, so the data chunk runs to the end of the bytes when its
/// declared size is larger than what is there.
///
/// # Errors
/// [`WavError`] for anything but PCM16 mono.
pub fn parse_wav(bytes: &[u8]) -> Result<Pcm, WavError> {
    if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
        return Err(WavError::NotWav);
    }
    let mut at = 12;
    let mut rate = None;
    while let (Some(id), Some(size)) = (bytes.get(at..at + 4), u32_at(bytes, at + 4)) {
        let body = at + 8;
        match id {
            b"fmt " => {
                let format = u16_at(bytes, body).ok_or(WavError::NotWav)?;
                let channels = u16_at(bytes, body + 2).ok_or(WavError::NotWav)?;
                let bits = u16_at(bytes, body + 14).ok_or(WavError::NotWav)?;
                if format != 1 || channels != 1 || bits != 16 {
                    return Err(WavError::Unsupported {
                        format,
                        channels,
                        bits,
                    });
                }
                rate = u32_at(bytes, body + 4);
            }
            b"data" => {
                let rate = rate.ok_or(WavError::NotWav)?;
                let end = body.saturating_add(size as usize).min(bytes.len());
                let samples = bytes[body..end]
                    .chunks_exact(2)
                    .map(|c| i16::from_le_bytes([c[0], c[1]]))
                    .collect();
                return Ok(Pcm { rate, samples });
            }
            _ => {}
        }
        // Chunks are padded to an even size.
        at = body.saturating_add(size as usize + (size as usize & 1));
    }
    Err(WavError::NoData)
}

/// Resamples `samples` from `from` Hz to `to` Hz by windowed-sinc interpolation,
/// low-passed below the lower rate's Nyquist frequency: downsampled speech must not
/// alias, or it is harder to hear for people and speech recognizers alike.
pub fn resample(samples: &[i16], from: u32, to: u32) -> Vec<i16> {
    /// Kernel half-width, in zero crossings of the sinc.
    const ZEROS: f64 = 8.0;
    if from == to || samples.is_empty() || from == 0 || to == 0 {
        return samples.to_vec();
    }
    let out_len = (samples.len() as u64 * to as u64 / from as u64) as usize;
    let ratio = f64::from(to) / f64::from(from);
    // Cut-off as a fraction of the input's Nyquist frequency, a little below the
    // output's so the filter's roll-off stays out of the aliasing band.
    let cutoff = ratio.min(1.0) * 0.95;
    let half = (ZEROS / cutoff).ceil() as i64;
    let last = samples.len() as i64 - 1;
    (0..out_len)
        .map(|i| {
            let pos = i as f64 / ratio;
            let center = pos.floor() as i64;
            let (mut acc, mut norm) = (0.0, 0.0);
            for k in (center - half + 1).max(0)..=(center + half).min(last) {
                let x = pos - k as f64;
                let window = 0.5 * (1.0 + (std::f64::consts::PI * x / half as f64).cos());
                let w = sinc(x * cutoff) * window;
                acc += w * f64::from(samples[k as usize]);
                norm += w;
            }
            // Normalised by the weights, so a constant stays constant at the edges too.
            let v = if norm.abs() > 1e-9 { acc / norm } else { 0.0 };
            v.round().clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16
        })
        .collect()
}

fn sinc(t: f64) -> f64 {
    if t.abs() < 1e-12 {
        1.0
    } else {
        let x = std::f64::consts::PI * t;
        x.sin() / x
    }
}

/// Little-endian bytes of `samples`.
pub fn to_bytes(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

/// Samples from little-endian bytes (a trailing odd byte is ignored).
pub fn from_bytes(bytes: &[u8]) -> Vec<i16> {
    bytes
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect()
}

/// Base64 of the samples' bytes.
pub fn to_base64(samples: &[i16]) -> String {
    base64::engine::general_purpose::STANDARD.encode(to_bytes(samples))
}

/// Decodes base64 PCM16, refusing odd byte counts.
pub fn from_base64(b64: &str) -> Option<Vec<i16>> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    (bytes.len() % 2 == 0).then(|| from_bytes(&bytes))
}

/// Root-mean-square level in 0..=1.
pub fn rms(samples: &[i16]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| (s as f64) * (s as f64)).sum();
    ((sum / samples.len() as f64).sqrt() / i16::MAX as f64) as f32
}

/// A stand-in voice for `text` when no TTS engine is installed: a soft two-tone hum
/// whose length follows the text (about 60 ms a character, like slow speech), with
/// a syllable-rate envelope so a drawn mouth still moves.
pub fn hum(text: &str, rate: u32) -> Vec<i16> {
    let chars = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
        .clamp(4, 400);
    let len = (rate as usize * chars * 60) / 1000;
    let tau = std::f64::consts::TAU;
    (0..len)
        .map(|i| {
            let t = i as f64 / rate as f64;
            let syllable = (tau * 4.0 * t).sin().abs();
            let tone = (tau * 180.0 * t).sin() * 0.6 + (tau * 360.0 * t).sin() * 0.4;
            (tone * syllable * 6_000.0) as i16
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(rate: u32, samples: &[i16], declared: Option<u32>) -> Vec<u8> {
        let data = to_bytes(samples);
        let mut w = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        w.extend(16u32.to_le_bytes());
        w.extend(1u16.to_le_bytes());
        w.extend(1u16.to_le_bytes());
        w.extend(rate.to_le_bytes());
        w.extend((rate * 2).to_le_bytes());
        w.extend(2u16.to_le_bytes());
        w.extend(16u16.to_le_bytes());
        w.extend(b"data");
        w.extend(declared.unwrap_or(data.len() as u32).to_le_bytes());
        w.extend(data);
        w
    }

    #[test]
    fn parses_wav_including_streamed_sizes() {
        let pcm = parse_wav(&wav(22_050, &[1, -2, 3], None)).unwrap();
        assert_eq!(
            pcm,
            Pcm {
                rate: 22_050,
                samples: vec![1, -2, 3]
            }
        );
        let streamed = parse_wav(&wav(22_050, &[4, 5], Some(0x7fff_f000))).unwrap();
        assert_eq!(streamed.samples, vec![4, 5]);
        assert_eq!(parse_wav(b"garbage"), Err(WavError::NotWav));
    }

    #[test]
    fn resampling_keeps_duration() {
        let one_second = vec![100i16; 22_050];
        assert_eq!(resample(&one_second, 22_050, 16_000).len(), 16_000);
        assert_eq!(resample(&one_second, 16_000, 24_000).len(), 33_075);
        assert!(
            resample(&one_second, 22_050, 16_000)
                .iter()
                .all(|&s| s == 100)
        );
    }

    /// Level of a `freq` Hz tone after going from `from` to `to` Hz, against its
    /// level before.
    fn passed(freq: f64, from: u32, to: u32) -> f32 {
        let tone: Vec<i16> = (0..from)
            .map(|i| {
                ((2.0 * std::f64::consts::PI * freq * f64::from(i) / f64::from(from)).sin()
                    * 10_000.0) as i16
            })
            .collect();
        let out = resample(&tone, from, to);
        rms(&out[100..out.len() - 100]) / rms(&tone)
    }

    #[test]
    fn resampling_keeps_speech_and_drops_what_would_alias() {
        // Speech frequencies pass; above the new Nyquist (8 kHz) is filtered out
        // instead of folding back into the speech band.
        assert!((passed(1_000.0, 22_050, 16_000) - 1.0).abs() < 0.02);
        assert!(passed(10_000.0, 22_050, 16_000) < 0.05);
        // Upsampling keeps the tone.
        assert!((passed(1_000.0, 16_000, 24_000) - 1.0).abs() < 0.02);
    }

    #[test]
    fn base64_round_trips_and_rejects_odd_lengths() {
        let s = vec![0, 1, -1, i16::MAX, i16::MIN];
        assert_eq!(from_base64(&to_base64(&s)).unwrap(), s);
        assert!(from_base64("AA==").is_none());
        assert!(from_base64("not base64!").is_none());
    }

    #[test]
    fn hum_is_audible_and_sized_by_text() {
        let h = hum("hola mundo", 16_000);
        assert_eq!(h.len(), 16_000 * 9 * 60 / 1000);
        assert!(rms(&h) > 0.01);
    }
}
