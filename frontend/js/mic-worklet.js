// Runs on the audio thread: hands each 128-frame block of the microphone (mono) to
// the page, which resamples it to 16 kHz PCM16.
class Capture extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) this.port.postMessage(channel.slice(0));
    return true;
  }
}
registerProcessor('capture', Capture);
