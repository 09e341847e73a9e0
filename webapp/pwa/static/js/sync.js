// The outbox: submitted inspections wait here until the server confirms them, then are marked
// sent. Order per record: PUT record → PUT each photo not yet received → POST submit.
// A record is sent only under the account that made it (its owner): each run first asks the
// server who is logged in, and sends that account's records only.
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
    || err.code === 'not_author' || isCsrfError(err);
}

// No answer, or no login (or, in a race, another account's): nothing is wrong with the record
// itself; the header and the queue say why it waits.
const isContact = (err) => err instanceof NetError
  || (err instanceof HttpError && (err.status === 401 || err.code === 'not_author'));

// "第2项的照片“IMG_0001.jpg”": where a photo is in the record, as the form numbers it.
export function photoLabel(entry, ref) {
  const known = (entry.photo_labels || {})[ref.uuid];
  return known || `照片${ref.filename ? `“${ref.filename}”` : ''}`;
}

function photoAt(entry, field) {
  const m = /^(checklist|findings)\[(\d+)\]\.photos\[(\d+)\]/.exec(field || '');
  const rows = m && entry.body[m[1]];
  const ref = rows && rows[Number(m[2])] && rows[Number(m[2])].photos[Number(m[3])];
  return ref ? photoLabel(entry, ref) : null;
}

// The server's answer about one record (naming the photo it concerns, if it does).
export function describe(err, photo = null) {
  const what = err instanceof HttpError ? `服务器答复 ${err.status}：${err.message}`
    : String((err && err.message) || err);
  return photo ? `${photo}：${what}` : what;
}

export const photoRefs = (body) => [
  ...body.checklist.flatMap((c) => c.photos),
  ...body.findings.flatMap((f) => f.photos),
];

const update = (uuid, changes) => store.tx('outbox', 'readwrite', async (s) => {
  const entry = await store.req(s.outbox.get(uuid));
  if (entry) s.outbox.put({ ...entry, ...changes });
});

// Records this tab is sending right now (kept in memory only: an app closed mid-upload
// reopens with the record waiting, never "sending" for ever).
export const sending = new Set();
const listeners = new Set();
export const onChange = (fn) => listeners.add(fn);
const changed = (info) => listeners.forEach((fn) => fn(info));

let running = null;
let again = null;

// One sync run at a time (per tab; navigator.locks spans tabs where available). owner: the
// account the app is used by (its records wait when the server cannot be asked).
// force: every unsent record, refused ones too (立即发送); now: retryable ones without waiting
// for their backoff (app opened, network back). Resolves when the run (or, for force during a
// run, the forced run after it) has ended.
export function syncNow(opts = {}) {
  if (!running) {
    const go = () => run(opts);
    const locked = navigator.locks ? navigator.locks.request('duban-sync', go) : go();
    running = locked.finally(() => { running = null; changed({}); });
    return running;
  }
  if (opts.force) {
    again ||= running.catch(() => {}).then(() => { again = null; return syncNow(opts); });
    return again;
  }
  return running;
}

async function run({ owner = null, force = false, now = false }) {
  const time = Date.now();
  const entries = await store.all('outbox');
  const dueOf = (who) => entries.filter((e) => e.owner === who && e.state !== 'sent'
    && (force || (e.retry !== false && (now || (e.next_try_at || 0) <= time))));
  if (!dueOf(owner).length && !force) return;
  if (!navigator.onLine) return;
  let account;
  try {
    account = (await call('GET', '/api/v1/me')).data;
  } catch (err) {
    for (const e of dueOf(owner)) await failed(e, err);
    return;
  }
  changed({ account });  // the app follows the account logged in now
  const due = dueOf(account.username);
  if (!due.length) return;
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
    sending.add(e.uuid);
    changed({ uuid: e.uuid });
    try {
      await sendOne(e, token);
    } catch (first) {
      err = first;
      if (isCsrfError(first)) {
        try { token = await csrf(); await sendOne(e, token); err = null; } catch (second) { err = second; }
      }
    } finally {
      sending.delete(e.uuid);
    }
    if (err) {
      await failed(e, err);
      if (err instanceof NetError || err.status === 401) break;
    }
  }
}

async function sendOne(entry, token) {
  const base = `/api/v1/inspections/${entry.uuid}`;
  // The author travels with the record: the server refuses it under any other account.
  const body = { ...entry.body, author: entry.owner };
  const record = (await call('PUT', base, { json: body, csrf: token })).data;
  if (record.state !== 'draft') {  // already submitted, the same record: it has arrived
    await markSent(entry.uuid);
    changed({ uuid: entry.uuid, sent: true });
    return;
  }
  const received = new Set(record.photos_received || []);
  for (const ref of photoRefs(entry.body)) {
    if (received.has(ref.uuid)) continue;
    const photo = await store.get('photos', ref.uuid);
    if (!photo) throw new Error(`本机缺少${photoLabel(entry, ref)}`);
    try {
      await call('PUT', `${base}/photos/${ref.uuid}`, {
        body: photo.blob, csrf: token, timeout: 10 * 60 * 1000,
        headers: { 'Content-Type': ref.content_type, 'X-Content-SHA256': ref.sha256 },
      });
    } catch (err) {
      if (err instanceof HttpError) err.photo = photoLabel(entry, ref);
      throw err;
    }
  }
  await call('POST', `${base}/submit`, { csrf: token });
  await markSent(entry.uuid);
  changed({ uuid: entry.uuid, sent: true });
}

// Only after the server's 200: the entry is kept as 已提交, the photo Blobs are freed.
function markSent(uuid) {
  return store.tx(['outbox', 'inspections', 'photos'], 'readwrite', async (s) => {
    const entry = await store.req(s.outbox.get(uuid));
    s.outbox.put({ ...entry, state: 'sent', sent_at: new Date().toISOString(), error: null,
      error_photo: null, retry: null });
    const rec = await store.req(s.inspections.get(uuid));
    if (rec) s.inspections.put({ ...rec, status: 'sent' });
    const keys = await store.req(s.photos.index('inspection').getAllKeys(uuid));
    keys.forEach((k) => s.photos.delete(k));
  });
}

async function failed(entry, err) {
  const attempts = (entry.attempts || 0) + 1;
  const retry = isRetryable(err);
  const contact = isContact(err);
  const photo = (err && err.photo) || (err instanceof HttpError ? photoAt(entry, err.field) : null);
  await update(entry.uuid, {
    state: contact ? 'waiting' : 'failed',
    error: contact ? null : describe(err, photo),
    error_photo: contact ? null : photo,
    retry,
    attempts,
    next_try_at: retry ? Date.now() + backoff(attempts) : null,
  });
  changed({ uuid: entry.uuid });
}

// The earliest moment one of owner's waiting records should be tried again (ms from now),
// or null.
export async function nextDue(owner) {
  const times = (await store.all('outbox'))
    .filter((e) => e.owner === owner && e.state !== 'sent' && e.retry !== false)
    .map((e) => (e.next_try_at || 0) - Date.now());
  return times.length ? Math.max(0, Math.min(...times)) : null;
}
