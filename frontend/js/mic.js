// Microphone capture: getUserMedia → AudioWorklet → 16 kHz PCM16 chunks of 100 ms.
// `stop()` releases the device (the seed's public page left it open).
import { Resampler, toBase64 } from './pcm.js';

const RATE = 16000;
const CHUNK = RATE / 10;

/** Starts capturing; `onChunk(base64)` gets each 100 ms chunk. */
export async function startMic(onChunk) {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true, channelCount: 1 },
  });
  // A 16 kHz context lets the browser resample the microphone with its own filter;
  // where it cannot (some browsers refuse a microphone in a context at another rate),
  // the page's resampler does.
  let ctx = new AudioContext({ sampleRate: RATE });
  let source;
  try {
    source = ctx.createMediaStreamSource(stream);
  } catch {
    await ctx.close();
    ctx = new AudioContext();
  }
  try {
    source ??= ctx.createMediaStreamSource(stream);
    await ctx.audioWorklet.addModule('/ui/js/mic-worklet.js');
  } catch (e) {
    stream.getTracks().forEach((t) => t.stop());
    await ctx.close();
    throw e;
  }
  const node = new AudioWorkletNode(ctx, 'capture');
  const resampler = new Resampler(ctx.sampleRate, RATE);
  let pending = new Int16Array(0);
  node.port.onmessage = (event) => {
    const pcm = resampler.push(event.data);
    const joined = new Int16Array(pending.length + pcm.length);
    joined.set(pending);
    joined.set(pcm, pending.length);
    let at = 0;
    for (; at + CHUNK <= joined.length; at += CHUNK) onChunk(toBase64(joined.slice(at, at + CHUNK)));
    pending = joined.slice(at);
  };
  source.connect(node);
  // Not connected to the speakers: the worklet runs as long as it has an input.
  return {
    stream,
    async stop() {
      node.port.onmessage = null;
      source.disconnect();
      node.disconnect();
      stream.getTracks().forEach((t) => t.stop());
      await ctx.close();
    },
  };
}
