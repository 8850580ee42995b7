// PCM16 helpers shared by the microphone and the player.

/** Float samples at `from` Hz to Int16 samples at `to` Hz (linear interpolation). */
export function toPcm16(floats, from, to) {
  const ratio = from / to;
  const n = Math.floor(floats.length / ratio);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const pos = i * ratio;
    const j = Math.floor(pos);
    const a = floats[j] ?? 0;
    const b = floats[Math.min(j + 1, floats.length - 1)] ?? a;
    const s = Math.max(-1, Math.min(1, a + (b - a) * (pos - j)));
    out[i] = s < 0 ? s * 0x8000 : s * 0x7fff;
  }
  return out;
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
