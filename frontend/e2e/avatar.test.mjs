// End-to-end: the avatar page in headless Chromium against a real host in offline
// mode. A fake microphone (espeak-ng's voice, made here) asks for a quotation; the
// page shows the words the host heard and the agent's answer and plays its audio (the
// drawn mouth moves); the customer types the details speech cannot carry, the
// quotation tool runs, and the quotation is read back from the Odoo sandbox over MCP.
//
// Run from the repository root: `make e2e` (installs Chromium and the npm packages,
// builds the host and plugins). By hand, after `make plugins deps` and
// `cargo build -p daniel`: `node --test frontend/e2e/`.
// Environment: DANIEL_BIN (default target/debug/daniel), CHROMIUM (default
// /usr/bin/chromium), DANIEL_URL (use an already running host instead).
// The host's log goes to frontend/e2e/out/host.log; a failure names the step, the
// page's state and transcript, and ends with the log's last lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const out = join(here, 'out');
/** The log of the host the running test started (a test runs its own host). */
let hostLog = join(out, 'host.log');
/** Said into the microphone (the offline agent hears English). */
const SPOKEN = 'I would like a quotation for two KettyBot Pro';
/** Typed next: what a speech grammar cannot carry. */
const DETAILS = 'My name is Ana Ruiz from Hotel Sol, ana@hotelsol.mx, phone 55 1234 5678';
/** What headless Chromium needs on a closed network: no background connections. */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * The microphone's file: 1.5 s of silence, `text` in espeak-ng's voice, then 60 s of
 * silence (Chromium loops the file; the request must be heard once).
 */
function micWav(path, text) {
  const wav = execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '--stdout', text]);
  let at = 12;
  let rate = 22050;
  let speech = null;
  while (at + 8 <= wav.length) {
    const id = wav.toString('latin1', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (id === 'fmt ') rate = wav.readUInt32LE(at + 12);
    if (id === 'data') {
      // espeak-ng writes a placeholder size when streaming to stdout.
      speech = wav.subarray(at + 8, Math.min(wav.length, at + 8 + size));
      break;
    }
    at += 8 + size + (size & 1);
  }
  assert.ok(speech && speech.length > rate, 'espeak-ng gave no speech');
  const data = Buffer.concat([Buffer.alloc(rate * 2 * 1.5), speech, Buffer.alloc(rate * 2 * 60)]);
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

function logTail(lines = 25) {
  try {
    // eslint-disable-next-line no-control-regex
    const text = readFileSync(hostLog, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no host log)';
  }
}

async function startHost(name = 'host', env = {}) {
  if (process.env.DANIEL_URL && !Object.keys(env).length) return { url: process.env.DANIEL_URL, stop() {} };
  const port = await freePort();
  const bin = process.env.DANIEL_BIN ?? join(repo, 'target/debug/daniel');
  hostLog = join(out, `${name}.log`);
  const log = openSync(hostLog, 'w');
  const child = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`], {
    cwd: repo, stdio: ['ignore', log, log], env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let exited = null;
  child.on('exit', (code, signal) => { exited = signal ?? code; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 1200 && exited === null; i++) {
    try { if ((await fetch(`${url}/health`)).ok) return { url, stop: () => child.kill('SIGTERM') }; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the host did not start (${exited === null ? 'no /health in 120 s' : `exited: ${exited}`})\n${logTail()}`);
}

/** One MCP tool call over streamable HTTP (initialize, initialized, tools/call). */
async function mcpCall(url, name, args) {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const post = async (body, session) => {
    const r = await fetch(`${url}/mcp`, {
      method: 'POST', headers: session ? { ...headers, 'mcp-session-id': session } : headers, body: JSON.stringify(body),
    });
    if (!r.ok && r.status !== 202) throw new Error(`MCP ${body.method}: HTTP ${r.status} ${await r.text()}`);
    const text = await r.text();
    const data = text.split('\n').filter((l) => l.startsWith('data: ') && l.length > 6).map((l) => JSON.parse(l.slice(6)));
    return { session: r.headers.get('mcp-session-id'), result: data.find((d) => d.id === body.id) };
  };
  const init = await post({
    jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } },
  });
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, init.session);
  const call = await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name, arguments: args } }, init.session);
  const res = call.result?.result;
  if (!res || res.isError) throw new Error(`MCP ${name} failed: ${JSON.stringify(call.result)}`);
  return res.structuredContent ?? JSON.parse(res.content[0].text);
}

/** Runs `fn`; on failure, says which step failed and what the page showed then. */
async function step(page, name, fn) {
  try {
    return await fn();
  } catch (e) {
    let seen = '(page unreadable)';
    try {
      seen = await page.evaluate(() => JSON.stringify({
        state: document.querySelector('#state').dataset.state,
        error: document.querySelector('#error').hidden ? null : document.querySelector('#error').textContent,
        transcript: [...document.querySelectorAll('#transcript li')].map((li) => `${li.className}: ${li.textContent}`),
        tools: window.avatarDebug.tools,
        messages: window.avatarDebug.messages,
        played: window.avatarDebug.played,
      }, null, 1));
    } catch { /* the page is gone */ }
    const why = String(e.message).split('\n')[0];
    throw new Error(`step "${name}" failed: ${why}\npage: ${seen}\nhost log (last lines):\n${logTail()}`);
  }
}

/** Waits until a transcript line of class `kind` matches `re`; returns its text. */
async function line(page, kind, re, timeout) {
  const handle = await page.waitForFunction(([k, src]) => {
    const r = new RegExp(src);
    const li = [...document.querySelectorAll(`#transcript li.${k}`)].find((l) => r.test(l.textContent));
    return li ? li.textContent : null;
  }, [kind, re.source], { timeout });
  return handle.jsonValue();
}

/**
 * Chromium with a fresh profile and the fake microphone; `quiet` lists URL parts whose
 * HTTP errors are expected. Returns the page and a `close()`.
 */
async function launch(host, quiet = []) {
  mkdirSync(out, { recursive: true });
  const wav = join(out, 'mic.wav');
  micWav(wav, SPOKEN);
  const profile = mkdtempSync(join(tmpdir(), 'daniel-e2e-chromium-'));
  const close = async (context) => {
    if (context) await context.close();
    host.stop();
    rmSync(profile, { recursive: true, force: true });
  };
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        ...CHROMIUM_ARGS,
        '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${wav}`, '--autoplay-policy=no-user-gesture-required',
      ],
    });
  } catch (e) {
    await close();
    throw new Error(`Chromium did not start (install it: apt-get install -y chromium): ${e.message.split('\n')[0]}`);
  }
  const page = context.pages()[0] ?? await context.newPage();
  const expected = (text) => quiet.some((q) => text.includes(q));
  page.on('console', (m) => { if (m.type() === 'error' && !expected(m.text())) console.error('page:', m.text()); });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('response', (r) => { if (r.status() >= 400 && !expected(r.url())) console.error('page: HTTP', r.status(), r.url()); });
  return { page, close: () => close(context) };
}

test('a session in headless Chromium: voice in, spoken answer, quotation created', { timeout: 240_000 }, async () => {
  mkdirSync(out, { recursive: true });
  const host = await startHost();
  const { page, close } = await launch(host);
  try {
    await step(page, 'open the page', async () => {
      await page.goto(host.url);
      // The drawn mouth follows the audio actually played: keep its widest opening.
      await page.evaluate(() => {
        window.mouthMax = 0;
        setInterval(() => {
          window.mouthMax = Math.max(window.mouthMax, Number(document.querySelector('#face').dataset.mouth || 0));
        }, 20);
      });
    });
    await step(page, 'start a session', async () => {
      await page.click('#start');
      await page.waitForFunction(() => !['idle', 'connecting'].includes(document.querySelector('#state').dataset.state), null, { timeout: 30_000 });
      assert.notEqual(await page.locator('#state').getAttribute('data-state'), 'error');
    });
    await step(page, 'see the greeting and hear it play', async () => {
      // The fake microphone may interrupt the greeting at once (its text is then cut
      // to "¡Ho…"), so any agent line counts.
      await line(page, 'agent', /./, 30_000);
      await page.waitForFunction(() => window.avatarDebug.played > 0, null, { timeout: 15_000 });
    });
    await step(page, 'see the page say what offline speech understands', async () => {
      assert.equal(await page.locator('#hint').isVisible(), true);
      assert.match(await page.locator('#hint').textContent(), /inglés/);
    });
    await step(page, 'speak into the microphone and see the words heard', async () => {
      await line(page, 'user', /^I would like a quotation for 2 KettyBot Pro$/, 60_000);
    });
    await step(page, "see the agent's answer, asking for what is missing", () => line(page, 'agent', /2 × KettyBot Pro\. I still need your name/, 30_000));
    const number = await step(page, 'type the details and see the quotation confirmed', async () => {
      await page.fill('#text', DETAILS);
      await page.click('#send');
      const text = await line(page, 'agent', /Done, Ana Ruiz!|couldn't create/, 90_000);
      const m = /Done, Ana Ruiz! Your quotation is registered \((S\d+)\)/.exec(text);
      assert.ok(m, `the agent did not confirm a quotation: ${text}`);
      return m[1];
    });
    await step(page, 'see the quotation tool run', async () => {
      const tools = await page.evaluate(() => window.avatarDebug.tools);
      const ok = tools.filter((t) => t.status === 'ok').map((t) => t.name);
      assert.ok(ok.includes('dev_create_quotation'), `no successful dev_create_quotation: ${JSON.stringify(tools)}`);
    });
    await step(page, `find ${number} in the Odoo sandbox`, async () => {
      const { items } = await mcpCall(host.url, 'list_sales', { q: number });
      const order = items.find((o) => o.name === number);
      assert.ok(order, `${number} is not in the sandbox: ${JSON.stringify(items)}`);
      assert.match(order.partner_id?.name ?? '', /Hotel Sol|Ana Ruiz/, `${number} belongs to ${JSON.stringify(order.partner_id)}`);
      // Two KettyBot Pro at $239,000 each, before any tax.
      assert.ok(order.amount_total >= 478_000, `${number} amounts to ${order.amount_total}, not 2 KettyBot Pro`);
    });
    await step(page, 'have seen the mouth move', async () => {
      const mouth = await page.evaluate(() => window.mouthMax);
      assert.ok(mouth >= 0.05, `the mouth never opened while audio played (widest ${mouth})`);
    });
    await step(page, 'have been through every state', async () => {
      const states = new Set(await page.evaluate(() => window.avatarDebug.states));
      for (const s of ['connecting', 'listening', 'thinking', 'speaking']) assert.ok(states.has(s), `never ${s}: ${[...states]}`);
    });
    await page.screenshot({ path: join(out, 'avatar.png') });
    await step(page, 'stop the session and release the microphone', async () => {
      await page.click('#stop');
      await page.waitForFunction(() => document.querySelector('#state').dataset.state === 'idle', null, { timeout: 10_000 });
      assert.equal(await page.locator('#start').isEnabled(), true);
      const micLive = await page.evaluate(() => window.avatarDebug.mic.getTracks().some((t) => t.readyState === 'live'));
      assert.equal(micLive, false, 'the microphone is still open after stop');
      assert.equal(await page.locator('#hint').isVisible(), false);
    });
  } finally {
    await close();
  }
});

test('with an API token the page gets in with a ticket its auth proxy mints', { timeout: 120_000 }, async () => {
  mkdirSync(out, { recursive: true });
  const token = 'e2e-api-token';
  const host = await startHost('host-token', { DANIEL_API_TOKEN: token });
  const { page, close } = await launch(host, ['/avatar/tickets', '/avatar/ws', 'WebSocket', 'status of 401']);
  try {
    await step(page, 'open the page', () => page.goto(host.url));
    await page.uncheck('#use-mic');
    await step(page, 'be refused without a ticket', async () => {
      await page.click('#start');
      await page.waitForFunction(() => document.querySelector('#state').dataset.state === 'error', null, { timeout: 15_000 });
      assert.match(await page.locator('#error').textContent(), /autenticación/);
    });
    // What an auth proxy in front of the page does: add the API token to the ticket
    // request (and only to it; the page never sees the token).
    await page.route('**/avatar/tickets', (route) => route.continue({
      headers: { ...route.request().headers(), authorization: `Bearer ${token}` },
    }));
    await step(page, 'get in with a ticket and hear the greeting', async () => {
      await page.click('#start');
      await line(page, 'agent', /Servibot/, 30_000);
    });
    await step(page, 'stop the session', async () => {
      await page.click('#stop');
      await page.waitForFunction(() => document.querySelector('#state').dataset.state === 'idle', null, { timeout: 10_000 });
    });
  } finally {
    await close();
  }
});
