// The page's PCM helpers, in Node (no browser): `make test` runs these.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Resampler, fromBase64, toBase64 } from '../js/pcm.js';

/** `seconds` of a `freq` Hz sine at `rate` Hz, in blocks of 128 frames. */
function blocks(freq, rate, seconds) {
  const all = Float32Array.from({ length: rate * seconds }, (_, i) => 0.5 * Math.sin(2 * Math.PI * freq * i / rate));
  const out = [];
  for (let i = 0; i < all.length; i += 128) out.push(all.subarray(i, i + 128));
  return out;
}

function rms(int16) {
  let sum = 0;
  for (const s of int16) sum += (s / 0x8000) ** 2;
  return Math.sqrt(sum / int16.length);
}

function run(freq, from, to) {
  const r = new Resampler(from, to);
  const parts = blocks(freq, from, 1).map((b) => r.push(b));
  return Int16Array.from(parts.flatMap((p) => [...p]));
}

test('48 kHz blocks of 128 frames become exactly 16 kHz, nothing dropped', () => {
  const out = run(440, 48_000, 16_000);
  assert.equal(out.length, 16_000);
});

test('speech frequencies pass and those above the new Nyquist are damped', () => {
  const speech = rms(run(500, 48_000, 16_000));
  assert.ok(Math.abs(speech - 0.5 / Math.SQRT2) < 0.02, `500 Hz at ${speech}`);
  // 15 kHz would alias to 1 kHz at 16 kHz without the low-pass.
  const high = rms(run(15_000, 48_000, 16_000));
  assert.ok(high < 0.2 * speech, `15 kHz at ${high}, speech at ${speech}`);
});

test('at the same rate samples pass through unchanged', () => {
  const r = new Resampler(16_000, 16_000);
  const out = r.push(Float32Array.from([0, 0.5, -0.5, 1]));
  assert.deepEqual([...out], [0, 0x7fff / 2, -0x8000 / 2, 0x7fff].map(Math.trunc));
});

test('base64 round trip', () => {
  const s = Int16Array.from([0, 1, -1, 32767, -32768]);
  const back = fromBase64(toBase64(s));
  assert.deepEqual([...back].map((f) => Math.round(f * 0x8000)), [...s]);
});
