// The phone app: starts offline from the service worker's cache, keeps every record in
// IndexedDB, and sends submitted inspections from the outbox when a network is there.
import { call, HttpError } from './api.js';
import { h, isoLocal, showTime } from './dom.js';
import { newInspection, renderForm } from './form.js';
import * as store from './store.js';
import { nextDue, onChange, photoRefs, syncNow } from './sync.js';

const DEFAULTS = {
  modes: [{ value: 'unannounced', label: '暗访' }, { value: 'open', label: '明察' }, { value: 'special', label: '专项检查' }],
  severities: [{ value: 'minor', label: '一般' }, { value: 'moderate', label: '较重' }, { value: 'serious', label: '严重' }],
  finding_categories: [
    { value: 'discipline', label: '纪律作风' }, { value: 'service', label: '服务态度' },
    { value: 'efficiency', label: '办事效率' }, { value: 'environment', label: '窗口环境' },
    { value: 'security', label: '安全防范' }, { value: 'law_enforcement', label: '执法规范' },
    { value: 'other', label: '其他' }],
};
const SYNC_EVERY_MS = 30000;

const view = document.getElementById('view');
const net = document.getElementById('net');
const loginNotice = document.getElementById('login-notice');
let me = null;
let form = null;
let refData = null;

const showLogin = (on) => { loginNotice.hidden = !on; };
const drawNet = () => {
  const who = me ? ` · ${me.name}` : '';
  net.textContent = navigator.onLine ? `在线${who}` : `离线：记录保存在本机，联网后自动发送${who}`;
  document.body.dataset.online = navigator.onLine ? '1' : '0';
};

async function loadMe() {
  me = await store.get('meta', 'me');
  try {
    me = (await call('GET', '/api/v1/me')).data;
    await store.put('meta', me, 'me');
    showLogin(false);
  } catch (err) {
    if (err instanceof HttpError && err.status === 401) showLogin(true);
  }
  drawNet();
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
  return {
    units: units || [], checklists: (lists && lists.checklists) || {},
    modes: (lists && lists.modes) || DEFAULTS.modes,
    severities: (lists && lists.severities) || DEFAULTS.severities,
    finding_categories: (lists && lists.finding_categories) || DEFAULTS.finding_categories,
  };
}
const ref = () => { refData ||= loadRef(); return refData; };

// --- the outbox -------------------------------------------------------------------------

function buildBody(rec, photos, r) {
  const unit = r.units.find((u) => u.id === rec.target_unit_id);
  const items = new Set((r.checklists[unit.kind] || []).map((i) => String(i.id)));
  const refOf = (uuid) => {
    const p = photos.get(uuid);
    return { uuid, sha256: p.sha256, size: p.size, content_type: p.content_type, filename: p.filename };
  };
  const text = (v) => (v || '').trim() || null;
  const checklist = Object.entries(rec.checklist).filter(([id]) => items.has(id));
  const unanswered = checklist.find(([, c]) => !c.result && (c.photos.length || text(c.note)));
  if (unanswered) return { error: '有检查项填了说明或照片，但没有选择“符合 / 不符合 / 不适用”' };
  return {
    unit,
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
  const { body, unit, error } = buildBody(rec, photos, r);
  if (error) return error;
  const now = new Date().toISOString();
  await store.tx(['inspections', 'outbox'], 'readwrite', (s) => {
    rec.status = 'submitted';
    s.inspections.put(rec);
    s.outbox.put({
      uuid: rec.uuid, owner: rec.owner, body, state: 'waiting', retry: true, attempts: 0,
      next_try_at: 0, queued_at: now, error: null,
      summary: { unit: unit.name, started_at: rec.started_at, findings: body.findings.length, photos: photoRefs(body).length },
    });
  });
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  window.location.hash = '#/';
  sync();
  return null;
}

const STATE_TEXT = { waiting: '等待发送', sending: '正在发送…', failed: '发送失败', sent: '已提交' };

function outboxItem(e) {
  let detail = '';
  if (e.state === 'sent') detail = `服务器已确认 ${showTime(e.sent_at)}`;
  else if (e.state === 'waiting' && !navigator.onLine) detail = '离线，联网后自动发送';
  else if (e.error && e.state !== 'sending') detail = e.error + (e.retry ? '，稍后自动重试' : '；请处理后点“立即发送”');
  const s = e.summary || {};
  return h('li', { class: `entry state-${e.state}`, 'data-uuid': e.uuid, 'data-state': e.state },
    h('strong', {}, s.unit || '检查记录'), ' ',
    h('span', { class: 'muted' }, `${showTime(s.started_at)} · ${s.findings || 0} 个问题 · ${s.photos || 0} 张照片`),
    h('br'), h('span', { class: 'state' }, STATE_TEXT[e.state] || e.state),
    detail ? h('span', { class: 'detail' }, `：${detail}`) : null,
    e.state === 'failed' && e.retry === false
      ? h('button', { type: 'button', class: 'wide', onclick: () => reopen(e.uuid) }, '改回草稿修改') : null);
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

async function drawOutbox(box) {
  const entries = (await store.all('outbox')).sort((a, b) => b.queued_at.localeCompare(a.queued_at));
  const pending = entries.filter((e) => e.state !== 'sent');
  const sent = entries.filter((e) => e.state === 'sent').slice(0, 20);
  box.replaceChildren(
    h('h2', {}, `发送队列（${pending.length}）`),
    pending.length ? h('ul', { class: 'list', id: 'outbox' }, pending.map(outboxItem)) : h('p', { class: 'muted' }, '没有等待发送的记录。'),
    h('button', { type: 'button', class: 'wide', id: 'send-now', onclick: () => sync({ force: true }) }, '立即发送'),
    h('h2', {}, `已提交（${sent.length}）`),
    sent.length ? h('ul', { class: 'list', id: 'sent' }, sent.map(outboxItem)) : h('p', { class: 'muted' }, '暂无。'));
}

// --- views ------------------------------------------------------------------------------

async function drawHome() {
  const drafts = (await store.all('inspections')).filter((r) => r.status === 'draft')
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
  const units = new Map(((await store.get('meta', 'units')) || []).map((u) => [u.id, u.name]));
  const outbox = h('section', { id: 'outbox-box', 'aria-live': 'polite' });
  view.replaceChildren(
    h('a', { href: '#/new', class: 'button primary wide', id: 'new' }, '新建检查'),
    h('section', {}, h('h2', {}, `草稿（${drafts.length}）`),
      drafts.length ? h('ul', { class: 'list' }, drafts.map((d) => h('li', {},
        h('a', { href: `#/i/${d.uuid}`, class: 'draft' }, units.get(d.target_unit_id) || '未选单位',
          ` · ${showTime(d.started_at)}`)))) : h('p', { class: 'muted' }, '没有未提交的草稿。')),
    outbox);
  await drawOutbox(outbox);
}

async function route() {
  if (form) { form.flush(); form = null; }
  const hash = window.location.hash;
  if (hash === '#/new') {
    const rec = newInspection(me && me.username);
    await store.put('inspections', rec);
    window.location.replace(`#/i/${rec.uuid}`);
    return;
  }
  const m = hash.match(/^#\/i\/([0-9a-f-]{36})$/);
  const rec = m && await store.get('inspections', m[1]);
  if (rec && rec.status === 'draft') {
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
  const due = await nextDue();
  if (due !== null) timer = setTimeout(sync, Math.min(due, SYNC_EVERY_MS) + 50);
}
function sync(opts) {
  return syncNow(opts).then(schedule, schedule);
}

const redrawOutbox = () => {
  const box = document.getElementById('outbox-box');
  if (box) drawOutbox(box);
};
onChange((info) => {
  if (info.auth === false) showLogin(true);
  if (info.auth === true) showLogin(false);
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
  drawNet();
  await route();
  document.body.dataset.ready = '1';
  await loadMe();
  await ref();  // units and checklists into IndexedDB while there is a network
  sync({ now: true });
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/m/sw.js', { scope: '/m/' }).catch(() => {});
  }
}
start();
