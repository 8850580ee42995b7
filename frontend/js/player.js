// Agent audio: PCM16 chunks scheduled back to back on one AudioContext, through an
// AnalyserNode whose level drives the drawn mouth (same graph, so lips and voice
// stay in sync). `clear()` drops everything queued (interruption).
import { fromBase64 } from './pcm.js';

export class Player {
  constructor(sampleRate) {
    this.rate = sampleRate;
    this.ctx = new AudioContext();
    this.analyser = this.ctx.createAnalyser();
    this.analyser.fftSize = 512;
    this.analyser.connect(this.ctx.destination);
    this.buf = new Float32Array(this.analyser.fftSize);
    this.next = 0;
    this.sources = new Set();
    this.played = 0;
  }

  /** Resumes the context (browsers start it suspended until a user gesture). */
  resume() { return this.ctx.resume(); }

  /** Queues one base64 PCM16 chunk. */
  push(b64) {
    const samples = fromBase64(b64);
    if (samples.length === 0) return;
    const buffer = this.ctx.createBuffer(1, samples.length, this.rate);
    buffer.copyToChannel(samples, 0);
    const src = this.ctx.createBufferSource();
    src.buffer = buffer;
    src.connect(this.analyser);
    const at = Math.max(this.ctx.currentTime + 0.02, this.next);
    src.start(at);
    this.next = at + buffer.duration;
    this.sources.add(src);
    src.onended = () => { this.sources.delete(src); this.played += 1; };
  }

  /** Whether audio is playing or queued. */
  get speaking() { return this.next > this.ctx.currentTime; }

  /** RMS level of what is playing now, 0..1. */
  level() {
    this.analyser.getFloatTimeDomainData(this.buf);
    let sum = 0;
    for (const v of this.buf) sum += v * v;
    return Math.sqrt(sum / this.buf.length);
  }

  /** Stops and drops everything queued. */
  clear() {
    for (const s of this.sources) { try { s.stop(); } catch { /* already ended */ } }
    this.sources.clear();
    this.next = 0;
  }

  async close() {
    this.clear();
    await this.ctx.close();
  }
}
