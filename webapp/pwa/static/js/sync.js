// The outbox: submitted inspections wait here until the server confirms them, then are marked
// sent. Order per record: PUT record → PUT each photo not yet received → POST submit.
// Errors never drop a record: retryable ones (network, 5xx, 401, 408, 429) come back with
// capped exponential backoff and jitter; others wait for the user's 立即发送.
import { call, HttpError, NetError } from './api.js';
import * as store from './store.js';

const BASE_MS = 2000;
const CAP_MS = 5 * 60 * 1000;
const RETRY_STATUS = new Set([401, 408, 429]);

export function backoff(attempts) {
  const full = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(full / 2 + Math.random() * full / 2);
}

// A stale CSRF token (the session cookie was rewritten by a parallel request): fetch anew.
const isCsrfError = (err) => err instanceof HttpError && err.status === 400 && /csrf/i.test(err.message);

export function isRetryable(err) {
  if (err instanceof NetError) return true;
  if (!(err instanceof HttpError)) return false;
  return err.status >= 500 || RETRY_STATUS.has(err.status) || err.code === 'photos_missing'
    || isCsrfError(err);
}

export function describe(err) {
  if (err instanceof NetError) return '网络不可用，联网后自动发送';
  if (err instanceof HttpError) {
    if (err.status === 401) return '登录已过期，请重新登录';
    return `服务器答复 ${err.status}：${err.message}`;
  }
  return String(err && err.message || err);
}

export const photoRefs = (body) => [
  ...body.checklist.flatMap((c) => c.photos),
  ...body.findings.flatMap((f) => f.photos),
];

const update = (uuid, changes) => store.tx('outbox', 'readwrite', async (s) => {
  const entry = await store.req(s.outbox.get(uuid));
  if (entry) s.outbox.put({ ...entry, ...changes });
});

let running = null;
let forceAgain = false;
const listeners = new Set();
export const onChange = (fn) => listeners.add(fn);
const changed = (info) => listeners.forEach((fn) => fn(info));

// One sync run at a time (per tab; navigator.locks spans tabs where available).
// force: every unsent record, refused ones too (立即发送); now: retryable ones without waiting
// for their backoff (app opened, network back).
export function syncNow({ force = false, now = false } = {}) {
  if (running && force) {  // 立即发送 during a run: one more run, for everything, after it
    forceAgain = true;
    return running;
  }
  if (!running) {
    const go = () => run(force, now);
    const locked = navigator.locks
      ? navigator.locks.request('duban-sync', go)
      : go();
    running = locked.finally(() => {
      running = null;
      changed({});
      if (forceAgain) { forceAgain = false; syncNow({ force: true }); }
    });
  }
  return running;
}

async function run(force, now) {
  const time = Date.now();
  const due = (await store.all('outbox')).filter((e) => e.state !== 'sent'
    && (force || (e.retry !== false && (now || (e.next_try_at || 0) <= time))));
  if (!due.length) return;
  if (!navigator.onLine) return;
  const csrf = async () => (await call('GET', '/api/v1/csrf')).data.csrf_token;
  let token;
  try {
    token = await csrf();
  } catch (err) {
    for (const e of due) await failed(e, err);
    return;
  }
  for (const e of due) {
    let err = null;
    try {
      await sendOne(e, token);
    } catch (first) {
      err = first;
      if (isCsrfError(first)) {
        try { token = await csrf(); await sendOne(e, token); err = null; } catch (second) { err = second; }
      }
    }
    if (err) {
      await failed(e, err);
      if (err instanceof NetError || err.status === 401) break;
    }
  }
}

async function sendOne(entry, token) {
  const base = `/api/v1/inspections/${entry.uuid}`;
  await update(entry.uuid, { state: 'sending' });
  changed({ uuid: entry.uuid });
  const record = (await call('PUT', base, { json: entry.body, csrf: token })).data;
  const received = new Set(record.photos_received || []);
  for (const ref of photoRefs(entry.body)) {
    if (received.has(ref.uuid)) continue;
    const photo = await store.get('photos', ref.uuid);
    if (!photo) throw new Error(`本机缺少照片 ${ref.filename || ref.uuid}`);
    await call('PUT', `${base}/photos/${ref.uuid}`, {
      body: photo.blob, csrf: token, timeout: 10 * 60 * 1000,
      headers: { 'Content-Type': ref.content_type, 'X-Content-SHA256': ref.sha256 },
    });
  }
  await call('POST', `${base}/submit`, { csrf: token });
  await markSent(entry.uuid);
  changed({ uuid: entry.uuid, sent: true, auth: true });
}

// Only after the submit's 200: the entry is kept as 已提交, the photo Blobs are freed.
function markSent(uuid) {
  return store.tx(['outbox', 'inspections', 'photos'], 'readwrite', async (s) => {
    const entry = await store.req(s.outbox.get(uuid));
    s.outbox.put({ ...entry, state: 'sent', sent_at: new Date().toISOString(), error: null, retry: null });
    const rec = await store.req(s.inspections.get(uuid));
    if (rec) s.inspections.put({ ...rec, status: 'sent' });
    const keys = await store.req(s.photos.index('inspection').getAllKeys(uuid));
    keys.forEach((k) => s.photos.delete(k));
  });
}

async function failed(entry, err) {
  const attempts = (entry.attempts || 0) + 1;
  const retry = isRetryable(err);
  const offline = err instanceof NetError;
  await update(entry.uuid, {
    state: offline ? 'waiting' : 'failed',
    error: describe(err),
    retry,
    attempts,
    next_try_at: retry ? Date.now() + backoff(attempts) : null,
  });
  changed({ uuid: entry.uuid, auth: err instanceof HttpError && err.status === 401 ? false : undefined });
}

// The earliest moment a waiting record should be tried again (ms from now), or null.
export async function nextDue() {
  const times = (await store.all('outbox'))
    .filter((e) => e.state !== 'sent' && e.retry !== false)
    .map((e) => (e.next_try_at || 0) - Date.now());
  return times.length ? Math.max(0, Math.min(...times)) : null;
}
