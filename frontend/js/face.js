// The drawn avatar: a face on a canvas whose mouth opens with the level of the audio
// being played, with random blinks. Used whenever no video avatar is streaming.

export class Face {
  constructor(canvas, level) {
    this.canvas = canvas;
    this.g = canvas.getContext('2d');
    this.level = level;
    this.open = 0;
    this.blinkUntil = 0;
    this.nextBlink = performance.now() + 2000;
    this.running = true;
    const frame = (t) => { if (!this.running) return; this.draw(t); requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
  }

  stop() { this.running = false; }

  draw(now) {
    const { g, canvas } = this;
    const w = canvas.width;
    const h = canvas.height;
    // Smoothed so the mouth does not flicker with every audio block.
    const target = Math.min(1, this.level() * 6);
    this.open += (target - this.open) * 0.35;
    if (now > this.nextBlink) {
      this.blinkUntil = now + 140;
      this.nextBlink = now + 2500 + Math.random() * 3500;
    }
    g.clearRect(0, 0, w, h);
    g.fillStyle = '#ffd9b3';
    g.beginPath();
    g.arc(w / 2, h / 2, w * 0.42, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = '#1d2330';
    const eyeH = now < this.blinkUntil ? 2 : 14;
    for (const x of [w * 0.36, w * 0.64]) {
      g.beginPath();
      g.ellipse(x, h * 0.42, 10, eyeH, 0, 0, Math.PI * 2);
      g.fill();
    }
    g.fillStyle = '#8a1c1c';
    g.beginPath();
    g.ellipse(w / 2, h * 0.66, w * 0.12, 3 + this.open * h * 0.09, 0, 0, Math.PI * 2);
    g.fill();
    this.canvas.dataset.mouth = this.open.toFixed(3);
  }
}
