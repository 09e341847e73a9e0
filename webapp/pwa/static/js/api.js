// fetch() for the JSON API: errors become NetError (no answer) or HttpError (server's answer).
// Every call also tells `link` what it learnt about the server, for the header and the queue.
export class NetError extends Error {
  constructor() { super('连不上服务器'); this.name = 'NetError'; }
}

export class HttpError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `HTTP ${status}`);
    this.name = 'HttpError';
    this.status = status;
    this.code = err.code || '';
    this.field = err.field || '';
    this.body = body;
  }
}

// The server as last seen: 'unknown', 'ok', 'down' (no answer, or a proxy's 502–504) or
// 'login' (it answered 401: only a new login helps).
export const link = { state: 'unknown' };
const linkListeners = new Set();
export const onLink = (fn) => linkListeners.add(fn);
function setLink(state) {
  if (link.state === state) return;
  link.state = state;
  linkListeners.forEach((fn) => fn(state));
}
window.addEventListener('offline', () => setLink('unknown'));

// A request with no answer within `timeout` ms counts as no network (a dead connection).
export async function call(method, url, { json, body, headers = {}, csrf, timeout = 30000 } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (json !== undefined) { h['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
  if (csrf) h['X-CSRFToken'] = csrf;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  let resp;
  let data = null;
  try {
    resp = await fetch(url, {
      method, headers: h, body, credentials: 'same-origin', cache: 'no-store', signal: abort.signal,
    });
    try { data = await resp.json(); } catch { /* not JSON: an error page of a proxy */ }
  } catch {
    setLink('down');
    throw new NetError();
  } finally {
    clearTimeout(timer);
  }
  if (resp.status === 401) setLink('login');
  else setLink(resp.status >= 502 && resp.status <= 504 ? 'down' : 'ok');
  if (!resp.ok) throw new HttpError(resp.status, data);
  return { status: resp.status, data };
}
