// fetch() for the JSON API: errors become NetError (no answer) or HttpError (server's answer).
export class NetError extends Error {
  constructor() { super('网络不可用'); this.name = 'NetError'; }
}

export class HttpError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `HTTP ${status}`);
    this.name = 'HttpError';
    this.status = status;
    this.code = err.code || '';
    this.body = body;
  }
}

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
    throw new NetError();
  } finally {
    clearTimeout(timer);
  }
  if (!resp.ok) throw new HttpError(resp.status, data);
  return { status: resp.status, data };
}
