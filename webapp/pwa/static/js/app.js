// The phone app: starts offline from the service worker's cache, keeps every record in
// IndexedDB, and sends submitted inspections from the outbox when a network is there.
// Records belong to the account that made them: another account logged in on the same phone
// neither sees nor sends them (it sees how many are waiting, nothing more).
import { call, HttpError, onLink } from './api.js';
import { h, isoLocal, showTime } from './dom.js';
import { newInspection, renderForm } from './form.js';
import { drawOutbox, netText, sendResult } from './outbox.js';
import * as store from './store.js';
import { nextDue, onChange, photoRefs, syncNow } from './sync.js';

const SYNC_EVERY_MS = 30000;
const START_WAIT_MS = 4000;  // the server's word on who is logged in, before anything is shown

const view = document.getElementById('view');
const net = document.getElementById('net');
const loginNotice = document.getElementById('login-notice');
let me = null;  // the account in use: the server's answer, else the last one it gave
let form = null;
let refData = null;
let sendNote = '';

const showLogin = (on) => { loginNotice.hidden = !on; };
const drawNet = () => {
  net.textContent = netText(me);
  document.body.dataset.online = navigator.onLine ? '1' : '0';
};
const mine = (r) => !!me && r.owner === me.username;

// The server's account replaces the cached one; another account than before redraws the app.
async function setAccount(account) {
  const switched = !me || me.username !== account.username;
  me = account;
  if (switched) {
    await store.put('meta', account, 'me');
    sendNote = '';
    if (document.body.dataset.ready) await route();
  }
  drawNet();
}

async function loadMe(timeout) {
  try {
    await setAccount((await call('GET', '/api/v1/me', { timeout })).data);
    showLogin(false);
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) showLogin(true);
  }
  drawNet();
}

// Records kept before records had owners belong to the account that used the app then.
async function adoptOwnerless(account) {
  if (!account) return;
  await store.tx(['inspections', 'outbox'], 'readwrite', async (s) => {
    for (const name of ['inspections', 'outbox']) {
      for (const r of await store.req(s[name].getAll())) {
        if (!r.owner) s[name].put({ ...r, owner: account.username });
      }
    }
  });
}

// Units and checklists: fresh from the server when it answers, else the copy in IndexedDB.
async function loadRef() {
  let units = await store.get('meta', 'units');
  let lists = await store.get('meta', 'checklists');
  try {
    const [u, c] = await Promise.all([call('GET', '/api/v1/units'), call('GET', '/api/v1/checklists')]);
    units = u.data.units;
    lists = c.data;
    await store.put('meta', units, 'units');
    await store.put('meta', lists, 'checklists');
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) showLogin(true);
  }
  // Choices and their labels come from the server (GET /api/v1/checklists), as the units do.
  const l = lists || {};
  return {
    units: units || [], checklists: l.checklists || {}, modes: l.modes || [],
    severities: l.severities || [], finding_categories: l.finding_categories || [],
    results: l.results || [],
  };
}
const ref = () => { refData ||= loadRef(); return refData; };

// --- the outbox -------------------------------------------------------------------------

function buildBody(rec, photos, r) {
  const unit = r.units.find((u) => u.id === rec.target_unit_id);
  const order = (r.checklists[unit.kind] || []).map((i) => String(i.id));
  const items = new Set(order);
  const refOf = (uuid) => {
    const p = photos.get(uuid);
    return {
      uuid, sha256: p.sha256, size: p.size, content_type: p.content_type, filename: p.filename,
      added_at: p.added_at || null,
    };
  };
  const text = (v) => (v || '').trim() || null;
  const checklist = Object.entries(rec.checklist).filter(([id]) => items.has(id));
  const unanswered = checklist.find(([, c]) => !c.result && (c.photos.length || text(c.note)));
  if (unanswered) return { error: '有检查项填了说明或照片，但没有选择“符合 / 不符合 / 不适用”' };
  // Where each photo is, as the form numbers it: a refusal of the server can name it.
  const labels = {};
  const label = (uuid, where) => {
    const name = photos.get(uuid).filename;
    labels[uuid] = `${where}的照片${name ? `“${name}”` : ''}`;
  };
  checklist.filter(([, c]) => c.result).forEach(([id, c]) => c.photos.forEach((u) => label(u, `第${order.indexOf(id) + 1}项`)));
  rec.findings.forEach((f, i) => f.photos.forEach((u) => label(u, `问题 ${i + 1} `)));
  return {
    unit,
    labels,
    body: {
      target_unit_id: rec.target_unit_id, mode: rec.mode, started_at: rec.started_at,
      ended_at: rec.ended_at, place: text(rec.place), gps: rec.gps, companions: text(rec.companions),
      checklist: checklist.filter(([, c]) => c.result).map(([id, c]) => ({
        checklist_item_id: Number(id), result: c.result, note: text(c.note), photos: c.photos.map(refOf),
      })),
      findings: rec.findings.map((f) => ({
        uuid: f.uuid, category: f.category, severity: f.severity,
        description: f.description.trim(), photos: f.photos.map(refOf),
      })),
    },
  };
}

async function queue(rec, photos) {
  const r = await ref();
  rec.ended_at = isoLocal();
  const { body, unit, labels, error } = buildBody(rec, photos, r);
  if (error) return error;
  const now = new Date().toISOString();
  await store.tx(['inspections', 'outbox'], 'readwrite', (s) => {
    rec.status = 'submitted';
    s.inspections.put(rec);
    s.outbox.put({
      uuid: rec.uuid, owner: rec.owner, body, photo_labels: labels, state: 'waiting', retry: true,
      attempts: 0, next_try_at: 0, queued_at: now, error: null,
      summary: { unit: unit.name, started_at: rec.started_at, findings: body.findings.length, photos: photoRefs(body).length },
    });
  });
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  window.location.hash = '#/';
  sync();
  return null;
}

// A record the server refused (4xx): back to the form, out of the outbox (still a draft there).
async function reopen(uuid) {
  await store.tx(['inspections', 'outbox'], 'readwrite', async (s) => {
    const rec = await store.req(s.inspections.get(uuid));
    s.outbox.delete(uuid);
    s.inspections.put({ ...rec, status: 'draft' });
  });
  window.location.hash = `#/i/${uuid}`;
}

async function sendNow() {
  const pending = async () => (await store.all('outbox')).filter((e) => mine(e) && e.state !== 'sent').length;
  if (!navigator.onLine) sendNote = sendResult(await pending());
  else if (!(await pending())) sendNote = '没有等待发送的记录。';
  else {
    sendNote = '正在发送…';
    redrawOutbox();
    await sync({ force: true });
    sendNote = sendResult(await pending());
  }
  redrawOutbox();
}

async function outboxView() {
  const entries = await store.all('outbox');
  const drafts = (await store.all('inspections')).filter((r) => r.status === 'draft');
  return {
    entries: entries.filter(mine),
    othersPending: entries.filter((e) => !mine(e) && e.state !== 'sent').length,
    othersDrafts: drafts.filter((r) => !mine(r)).length,
    note: sendNote, onSend: sendNow, onReopen: reopen,
  };
}

// --- views ------------------------------------------------------------------------------

async function drawHome() {
  const drafts = (await store.all('inspections')).filter((r) => r.status === 'draft' && mine(r))
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
  const units = new Map(((await store.get('meta', 'units')) || []).map((u) => [u.id, u.name]));
  const outbox = h('section', { id: 'outbox-box', 'aria-live': 'polite' });
  view.replaceChildren(
    me ? h('a', { href: '#/new', class: 'button primary wide', id: 'new' }, '新建检查')
      : h('p', { class: 'notice', id: 'no-account' }, '无法确认当前账号：请联网并登录后再新建检查。'),
    h('section', {}, h('h2', {}, `草稿（${drafts.length}）`),
      drafts.length ? h('ul', { class: 'list' }, drafts.map((d) => h('li', {},
        h('a', { href: `#/i/${d.uuid}`, class: 'draft' }, units.get(d.target_unit_id) || '未选单位',
          ` · ${showTime(d.started_at)}`)))) : h('p', { class: 'muted' }, '没有未提交的草稿。')),
    outbox);
  drawOutbox(outbox, await outboxView());
}

async function route() {
  if (form) { form.flush(); form = null; }
  const hash = window.location.hash;
  if (hash === '#/new' && me) {
    const rec = newInspection(me.username);
    await store.put('inspections', rec);
    window.location.replace(`#/i/${rec.uuid}`);
    return;
  }
  const m = hash.match(/^#\/i\/([0-9a-f-]{36})$/);
  const rec = m && await store.get('inspections', m[1]);
  if (rec && rec.status === 'draft' && mine(rec)) {
    form = await renderForm(view, rec, await ref(), { onQueued: queue });
  } else {
    await drawHome();
  }
  document.body.dataset.view = form ? 'form' : 'home';
}

// --- sync scheduling: app open, `online`, a timer, the 立即发送 button ------------------

let timer = null;
async function schedule() {
  clearTimeout(timer);
  const due = await nextDue(me && me.username);
  if (due !== null) timer = setTimeout(sync, Math.min(due, SYNC_EVERY_MS) + 50);
}
function sync(opts = {}) {
  return syncNow({ ...opts, owner: me && me.username }).then(schedule, schedule);
}

const redrawOutbox = async () => {
  const box = document.getElementById('outbox-box');
  if (box) drawOutbox(box, await outboxView());
};
onChange(async (info) => {
  if (info.account) await setAccount(info.account);
  redrawOutbox();
});
onLink((state) => {
  showLogin(state === 'login');
  drawNet();
  redrawOutbox();
});

window.addEventListener('hashchange', route);
// Reference data first, then the outbox: parallel requests would race on the session cookie.
window.addEventListener('online', async () => { drawNet(); refData = null; await ref(); sync({ now: true }); });
window.addEventListener('offline', () => { drawNet(); redrawOutbox(); });
window.addEventListener('pagehide', () => form && form.flush());
document.addEventListener('visibilitychange', () => {
  if (document.hidden) { if (form) form.flush(); } else sync();
});
setInterval(sync, SYNC_EVERY_MS);

async function start() {
  const before = (await store.get('meta', 'me')) || null;
  me = before;
  drawNet();
  await loadMe(START_WAIT_MS);  // who is logged in decides what is shown
  await adoptOwnerless(before || me);
  await route();
  document.body.dataset.ready = '1';
  await ref();  // units and checklists into IndexedDB while there is a network
  sync({ now: true });
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch(() => {});
  }
}
start();
