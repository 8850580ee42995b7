// PCM16 helpers shared by the microphone and the player.

/**
 * Float blocks at `from` Hz to Int16 samples at `to` Hz, block after block: the read
 * position carries over from one block to the next (a 128-frame block at 48 kHz is
 * 42.67 samples at 16 kHz; rounding per block would drop audio and click), and when
 * downsampling each output sample averages the input it spans, a low-pass that keeps
 * frequencies above the new Nyquist from folding back into speech.
 */
export class Resampler {
  constructor(from, to) {
    this.step = from / to;
    this.pos = 0; // next output's position, in input samples from the block's start
    this.prev = 0; // the previous block's last sample
  }

  /** The Int16 samples `floats` completes. */
  push(floats) {
    const out = [];
    const at = (j) => (j < 0 ? this.prev : floats[j]);
    const width = Math.max(1, Math.round(this.step));
    for (; this.pos <= floats.length - 1; this.pos += this.step) {
      const j = Math.floor(this.pos);
      let s;
      if (width > 1) {
        s = 0;
        for (let k = 0; k < width; k++) s += at(j - k);
        s /= width;
      } else {
        const a = at(j);
        const b = j + 1 < floats.length ? floats[j + 1] : a;
        s = a + (b - a) * (this.pos - j);
      }
      s = Math.max(-1, Math.min(1, s));
      out.push(s < 0 ? s * 0x8000 : s * 0x7fff);
    }
    this.pos -= floats.length;
    if (floats.length) this.prev = floats[floats.length - 1];
    return Int16Array.from(out);
  }
}

/** Base64 of an Int16Array's little-endian bytes. */
export function toBase64(int16) {
  const bytes = new Uint8Array(int16.buffer, int16.byteOffset, int16.byteLength);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** Float32 samples from base64 PCM16LE. */
export function fromBase64(b64) {
  const bin = atob(b64);
  const n = bin.length >> 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v = bin.charCodeAt(2 * i) | (bin.charCodeAt(2 * i + 1) << 8);
    if (v >= 0x8000) v -= 0x10000;
    out[i] = v / 0x8000;
  }
  return out;
}
