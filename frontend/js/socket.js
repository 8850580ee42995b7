// The session socket: `GET /avatar/ws`, JSON messages with a `type` (see PROTOCOL.md).

/** Opens the session socket on the page's own host (ws: or wss: to match). */
export function connect(onMessage, onClose) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(`${scheme}//${location.host}/avatar/ws`);
  ws.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return;
    let msg;
    try { msg = JSON.parse(event.data); } catch { return; }
    onMessage(msg);
  });
  ws.addEventListener('close', (event) => onClose(event));
  const opened = new Promise((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error('no se pudo conectar con el servidor')), { once: true });
  });
  return {
    opened,
    send(msg) { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg)); },
    close() { if (ws.readyState <= WebSocket.OPEN) ws.close(1000, 'bye'); },
  };
}
