// The page: one session at a time over /avatar/ws (see PROTOCOL.md). States: idle,
// connecting, listening, thinking, speaking, error. Every text from the agent or the
// user is shown with textContent, never parsed as HTML.
import { connect, fetchTicket } from './socket.js';
import { startMic } from './mic.js';
import { Player } from './player.js';
import { Face } from './face.js';

const $ = (id) => document.getElementById(id);
const ui = {
  start: $('start'), stop: $('stop'), interrupt: $('interrupt'), useMic: $('use-mic'),
  language: $('language'), form: $('typed'), text: $('text'), send: $('send'),
  error: $('error'), state: $('state'), caption: $('caption'), transcript: $('transcript'),
  tools: $('tools'), face: $('face'), video: $('video'), hint: $('hint'),
};
const LABELS = {
  idle: 'Listo para empezar', connecting: 'Conectando…', listening: 'Escuchando',
  thinking: 'Pensando…', speaking: 'Hablando', error: 'Error',
};
const TOOL_LABELS = { started: 'en curso', ok: 'listo', error: 'falló', timeout: 'sin respuesta' };

/** What tests (frontend/e2e) read: message counts, chunks played, the mic stream, tool runs. */
const debug = { messages: {}, played: 0, mic: null, states: [], tools: [] };
window.avatarDebug = debug;

let session = null;
let idleFace = new Face(ui.face, () => 0);

function setState(state) {
  if (debug.states[debug.states.length - 1] !== state) debug.states.push(state);
  ui.state.dataset.state = state;
  ui.state.textContent = LABELS[state];
}

/** The agent is working on an answer: say so now, not at the next tick. */
function think(s) {
  s.thinking = true;
  if (!s.failed && !(s.player && s.player.speaking)) setState('thinking');
}

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function addLine(kind, text) {
  const li = document.createElement('li');
  li.className = kind;
  li.textContent = text;
  ui.transcript.appendChild(li);
  li.scrollIntoView({ block: 'nearest' });
  return li;
}

function setControls(active) {
  ui.start.disabled = active;
  ui.stop.disabled = !active;
  ui.interrupt.disabled = !active;
  ui.text.disabled = !active;
  ui.send.disabled = !active;
  ui.useMic.disabled = active;
  ui.language.disabled = active;
}

async function start() {
  ui.error.hidden = true;
  ui.transcript.replaceChildren();
  ui.caption.textContent = '';
  setControls(true);
  setState('connecting');
  const s = { thinking: false, lastTyped: null, lastAgent: null, tentative: null, failed: false };
  session = s;
  const { ticket, status } = await fetchTicket();
  if (session !== s) return;
  s.socket = connect((msg) => onMessage(s, msg), (event) => onClose(s, event), ticket);
  try {
    await s.socket.opened;
  } catch (e) {
    s.failed = true;
    showError(status === 401 ? 'El servidor pide autenticación: abre esta página a través de tu sistema de acceso.' : e.message);
    setState('error');
    teardown(s);
    return;
  }
  s.socket.send({ type: 'start', language: ui.language.value, text_only: !ui.useMic.checked });
}

async function onSession(s, msg) {
  s.player = new Player(msg.output_sample_rate);
  await s.player.resume();
  idleFace.stop();
  s.face = new Face(ui.face, () => (s.player ? s.player.level() : 0));
  s.ticker = setInterval(() => {
    if (s.failed) return;
    if (s.player && s.player.speaking && !s.video) setState('speaking');
    else setState(s.thinking ? 'thinking' : 'listening');
    debug.played = s.player ? s.player.played : 0;
  }, 100);
  setState('listening');
  // Offline, speech is recognised in English only (PROTOCOL.md, user_transcript).
  ui.hint.hidden = !(msg.mode === 'offline' && ui.useMic.checked);
  if (ui.useMic.checked) {
    try {
      s.mic = await startMic((data) => s.socket.send({ type: 'audio', data }));
      debug.mic = s.mic.stream;
      if (session !== s) await s.mic.stop();
    } catch (e) {
      showError(`Micrófono no disponible (${e.message}); puedes escribir.`);
    }
  }
  ui.text.focus();
}

async function onAvatar(s, msg) {
  if (!msg.livekit_url) return;
  try {
    const { joinRoom } = await import('./livekit.js');
    s.room = await joinRoom(msg.livekit_url, msg.token, ui.video);
    s.video = true;
    ui.video.hidden = false;
    ui.face.hidden = true;
  } catch (e) {
    showError(`El avatar de video no está disponible (${e.message}).`);
  }
}

function onMessage(s, msg) {
  debug.messages[msg.type] = (debug.messages[msg.type] || 0) + 1;
  switch (msg.type) {
    case 'session': onSession(s, msg); break;
    case 'avatar': onAvatar(s, msg); break;
    case 'audio':
      s.thinking = false;
      if (s.player && !s.video) s.player.push(msg.data);
      break;
    case 'agent_response':
      s.thinking = false;
      ui.caption.textContent = msg.text;
      s.lastAgent = addLine('agent', msg.text);
      break;
    case 'agent_response_correction':
      if (s.lastAgent) s.lastAgent.textContent = `${msg.text}…`;
      ui.caption.textContent = `${msg.text}…`;
      break;
    case 'user_transcript':
      if (s.tentative) { s.tentative.remove(); s.tentative = null; }
      if (!msg.final) { s.tentative = addLine('user tentative', msg.text); break; }
      think(s);
      if (msg.text !== s.lastTyped) addLine('user', msg.text);
      s.lastTyped = null;
      break;
    case 'interruption':
      if (s.player) s.player.clear();
      break;
    case 'tool':
      debug.tools.push({ name: msg.name, status: msg.status });
      if (msg.status === 'started') think(s);
      ui.tools.textContent = `Herramienta ${msg.name}: ${TOOL_LABELS[msg.status] || msg.status}`;
      break;
    case 'error':
      showError(msg.message);
      if (msg.fatal) { s.failed = true; setState('error'); }
      break;
    case 'ended':
      s.ended = msg.reason;
      break;
    default: break;
  }
}

function onClose(s, event) {
  const reason = s.ended || event.reason || 'conexión cerrada';
  teardown(s);
  if (!s.failed) {
    setState('idle');
    ui.caption.textContent = `Conversación terminada (${reason}).`;
  }
}

/** Releases everything the session holds: microphone, audio, room, timers. */
function teardown(s) {
  if (s.done) return;
  s.done = true;
  clearInterval(s.ticker);
  if (s.mic) s.mic.stop();
  if (s.player) s.player.close();
  if (s.room) s.room.leave();
  if (s.face) s.face.stop();
  if (s.socket) s.socket.close();
  ui.video.hidden = true;
  ui.hint.hidden = true;
  ui.face.hidden = false;
  idleFace = new Face(ui.face, () => 0);
  if (session === s) session = null;
  setControls(false);
}

ui.start.addEventListener('click', start);
ui.stop.addEventListener('click', () => {
  if (!session) return;
  session.socket?.send({ type: 'stop' });
  teardown(session);
  setState('idle');
});
ui.interrupt.addEventListener('click', () => {
  if (!session) return;
  if (session.player) session.player.clear();
  session.socket?.send({ type: 'interrupt' });
});
ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.text.value.trim();
  if (!session || !text) return;
  if (session.player && session.player.speaking) session.player.clear();
  session.socket?.send({ type: 'text', text });
  session.lastTyped = text;
  think(session);
  addLine('user', text);
  ui.text.value = '';
});
