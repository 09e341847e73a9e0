// The send queue as the user sees it: one reason per record, never two that contradict each
// other or the header (both read the same facts: navigator.onLine and api.link).
import { link } from './api.js';
import { h, showTime } from './dom.js';
import { sending } from './sync.js';

// Why records that go on their own are waiting now, or '' when nothing stands in the way.
export function waitReason() {
  if (!navigator.onLine) return '本机离线，联网后自动发送';
  if (link.state === 'login') return '登录已过期：请重新登录，登录后自动发送';
  if (link.state === 'down') return '连不上服务器，稍后自动重试';
  return '';
}

// The header line: the same reason as the queue's.
export function netText(me) {
  const who = me ? ` · ${me.name}` : '';
  if (!navigator.onLine) return `离线：记录保存在本机，联网后自动发送${who}`;
  if (link.state === 'down') return `已联网，但连不上服务器：记录保存在本机，稍后自动重试${who}`;
  if (link.state === 'login') return `在线，登录已过期${who}`;
  return `在线${who}`;
}

// [state, label, detail] of one outbox entry.
export function entryStatus(e) {
  if (sending.has(e.uuid)) return ['sending', '正在发送…', ''];
  if (e.state === 'sent') return ['sent', '已提交', `服务器已确认 ${showTime(e.sent_at)}`];
  if (e.state === 'failed' && e.retry === false) {
    const fix = e.error_photo ? '请点“改回草稿修改”，删除这张照片后重新添加，再提交'
      : '请点“改回草稿修改”改正后再提交，或点“立即发送”重试';
    return ['failed', '发送失败', `${e.error}。${fix}`];
  }
  const why = waitReason();
  if (why) return ['waiting', '等待发送', why];
  if (e.state === 'failed' && e.error) return ['failed', '发送失败', `${e.error}，稍后自动重试`];
  return ['waiting', '等待发送', ''];
}

function entryItem(e, onReopen) {
  const [state, label, detail] = entryStatus(e);
  const s = e.summary || {};
  return h('li', { class: `entry state-${state}`, 'data-uuid': e.uuid, 'data-state': state },
    h('strong', {}, s.unit || '检查记录'), ' ',
    h('span', { class: 'muted' }, `${showTime(s.started_at)} · ${s.findings || 0} 个问题 · ${s.photos || 0} 张照片`),
    h('br'), h('span', { class: 'state' }, label),
    detail ? h('span', { class: 'detail' }, `：${detail}`) : null,
    state === 'failed' && e.retry === false
      ? h('button', { type: 'button', class: 'wide', onclick: () => onReopen(e.uuid) }, '改回草稿修改') : null);
}

// The queue of the account in use; others' records only as a count.
// view: { entries (this account's), othersPending, othersDrafts, note, onSend, onReopen }
export function drawOutbox(box, view) {
  const entries = [...view.entries].sort((a, b) => b.queued_at.localeCompare(a.queued_at));
  const pending = entries.filter((e) => e.state !== 'sent');
  const sent = entries.filter((e) => e.state === 'sent').slice(0, 20);
  const others = [
    view.othersPending ? `另有 ${view.othersPending} 条其他账号的记录待发送` : null,
    view.othersDrafts ? `另有 ${view.othersDrafts} 份其他账号的草稿` : null,
  ].filter(Boolean);
  box.replaceChildren(
    h('h2', {}, `发送队列（${pending.length}）`),
    pending.length ? h('ul', { class: 'list', id: 'outbox' }, pending.map((e) => entryItem(e, view.onReopen)))
      : h('p', { class: 'muted' }, '没有等待发送的记录。'),
    others.length ? h('p', { class: 'muted', id: 'others' }, `${others.join('，')}（该账号登录后才能查看和发送）。`) : null,
    h('button', { type: 'button', class: 'wide', id: 'send-now', onclick: view.onSend }, '立即发送'),
    h('p', { class: 'muted', id: 'send-note', role: 'status', 'aria-live': 'polite' }, view.note || ''),
    h('h2', {}, `已提交（${sent.length}）`),
    sent.length ? h('ul', { class: 'list', id: 'sent' }, sent.map((e) => entryItem(e, view.onReopen)))
      : h('p', { class: 'muted' }, '暂无。'));
}

// What 立即发送 says once its run has ended.
export function sendResult(left) {
  if (!navigator.onLine) return '本机离线，无法发送：联网后会自动发送。';
  if (link.state === 'login') return '登录已过期：请重新登录，登录后自动发送。';
  if (link.state === 'down') return '连不上服务器：记录仍保存在本机，稍后自动重试。';
  return left ? `还有 ${left} 条未能发送，原因见上。` : '已全部发送。';
}
