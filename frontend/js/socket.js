// The session socket: `GET /avatar/ws`, JSON messages with a `type` (see PROTOCOL.md).

/**
 * A single-use ticket from `POST /avatar/tickets`, or null when none is given (a host
 * without an API token needs none; behind an auth proxy the proxy adds the token).
 * Returns `{ ticket, status }`.
 */
export async function fetchTicket() {
  try {
    const r = await fetch('/avatar/tickets', { method: 'POST', credentials: 'same-origin' });
    if (!r.ok) return { ticket: null, status: r.status };
    return { ticket: (await r.json()).ticket ?? null, status: r.status };
  } catch {
    return { ticket: null, status: 0 };
  }
}

/** Opens the session socket on the page's own host (ws: or wss: to match). */
export function connect(onMessage, onClose, ticket = null) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = ticket ? `?ticket=${encodeURIComponent(ticket)}` : '';
  const ws = new WebSocket(`${scheme}//${location.host}/avatar/ws${query}`);
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
