// Microphone capture: getUserMedia → AudioWorklet → 16 kHz PCM16 chunks of 100 ms.
// `stop()` releases the device (the seed's public page left it open).
import { toPcm16, toBase64 } from './pcm.js';

const RATE = 16000;
const CHUNK = RATE / 10;

/** Starts capturing; `onChunk(base64)` gets each 100 ms chunk. */
export async function startMic(onChunk) {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true, channelCount: 1 },
  });
  const ctx = new AudioContext();
  try {
    await ctx.audioWorklet.addModule('/ui/js/mic-worklet.js');
  } catch (e) {
    stream.getTracks().forEach((t) => t.stop());
    await ctx.close();
    throw e;
  }
  const source = ctx.createMediaStreamSource(stream);
  const node = new AudioWorkletNode(ctx, 'capture');
  let pending = new Int16Array(0);
  node.port.onmessage = (event) => {
    const pcm = toPcm16(event.data, ctx.sampleRate, RATE);
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
