// End-to-end: the avatar page in headless Chromium against a real host in offline
// mode. A fake microphone (a WAV made here) speaks; the page shows the user turn and
// the agent's answer and plays its audio (the drawn mouth moves); a typed request
// then ends with a quotation created in the Odoo sandbox through the crm plugin.
//
// Run from the repository root after `make plugins` and `cargo build -p daniel`:
//   (cd frontend && npm ci && npm run vendor) && node --test frontend/e2e/
// Environment: DANIEL_BIN (default target/debug/daniel), CHROMIUM (default
// /usr/bin/chromium), DANIEL_URL (use an already running host instead).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const out = join(here, 'out');
const REQUEST = 'Quiero una cotización de 2 KettyBot Pro. Me llamo Ana Ruiz de la empresa Hotel Sol, '
  + 'ana@hotelsol.mx, teléfono 55 1234 5678';

/** 1.2 s of a voiced hum, then 8 s of silence: one utterance per loop of the file. */
function micWav(path) {
  const rate = 16000;
  const n = rate * 9.2;
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < rate * 1.2; i++) {
    const t = i / rate;
    const s = Math.sin(2 * Math.PI * 160 * t) * Math.abs(Math.sin(2 * Math.PI * 3 * t)) * 0.5;
    data.writeInt16LE(Math.round(s * 32767), i * 2);
  }
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + data.length, 4); h.write('WAVE', 8);
  h.write('fmt ', 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate * 2, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
  h.write('data', 36); h.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([h, data]));
}

function freePort() {
  return new Promise((ok) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

async function startHost() {
  if (process.env.DANIEL_URL) return { url: process.env.DANIEL_URL, stop() {} };
  const port = await freePort();
  const bin = process.env.DANIEL_BIN ?? join(repo, 'target/debug/daniel');
  const child = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try { if ((await fetch(`${url}/health`)).ok) return { url, stop: () => child.kill('SIGTERM') }; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the host did not start');
}

const transcript = (page) => page.locator('#transcript').innerText();

test('a session in headless Chromium: voice in, spoken answer, quotation created', { timeout: 180_000 }, async () => {
  mkdirSync(out, { recursive: true });
  const wav = join(out, 'mic.wav');
  micWav(wav);
  const host = await startHost();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`, '--autoplay-policy=no-user-gesture-required',
      '--no-sandbox',
    ],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => { if (m.type() === 'error') console.error('page:', m.text()); });
    page.on('response', (r) => { if (r.status() >= 400) console.error('page: HTTP', r.status(), r.url()); });
    await page.goto(host.url);
    await page.click('#start');
    await page.waitForFunction(() => document.querySelector('#state').dataset.state !== 'connecting', null, { timeout: 30_000 });
    // The greeting is spoken: audio plays and the drawn mouth opens.
    await page.waitForFunction(() => /Servibot/.test(document.querySelector('#transcript').innerText), null, { timeout: 30_000 });
    let mouth = 0;
    for (let i = 0; i < 40 && mouth < 0.05; i++) {
      mouth = Math.max(mouth, Number(await page.locator('#face').getAttribute('data-mouth')));
      await page.waitForTimeout(100);
    }
    assert.ok(mouth >= 0.05, `the mouth never opened (max ${mouth})`);
    // The fake microphone's utterance becomes a user turn the agent answers.
    await page.waitForFunction(() => /\[\d+\.\d s\]/.test(document.querySelector('#transcript').innerText), null, { timeout: 60_000 });
    await page.waitForFunction(() => /Te escuché/.test(document.querySelector('#transcript').innerText), null, { timeout: 30_000 });
    // A typed request ends with a quotation created in the sandbox.
    await page.fill('#text', REQUEST);
    await page.click('#send');
    await page.waitForFunction(() => /¡Listo, Ana Ruiz!|No pude/.test(document.querySelector('#transcript').innerText), null, { timeout: 90_000 });
    const text = await transcript(page);
    assert.match(text, /¡Listo, Ana Ruiz! Tu cotización quedó registrada \(S\d+\)/);
    const played = await page.evaluate(() => window.avatarDebug.played);
    assert.ok(played > 0, 'no agent audio was played');
    const states = new Set(await page.evaluate(() => window.avatarDebug.states));
    for (const s of ['connecting', 'listening', 'thinking', 'speaking']) assert.ok(states.has(s), `never ${s}: ${[...states]}`);
    await page.screenshot({ path: join(out, 'avatar.png') });
    await page.click('#stop');
    await page.waitForFunction(() => document.querySelector('#state').dataset.state === 'idle');
    assert.equal(await page.locator('#start').isEnabled(), true);
    // Stop releases the microphone.
    const micLive = await page.evaluate(() => window.avatarDebug.mic.getTracks().some((t) => t.readyState === 'live'));
    assert.equal(micLive, false, 'the microphone is still open after stop');
  } finally {
    await browser.close();
    host.stop();
  }
});
