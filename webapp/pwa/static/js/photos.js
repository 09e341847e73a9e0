// Photos: hashed with SHA-256 and stored as Blobs in IndexedDB together with the record that
// lists them (one transaction), shown at once as thumbnails from object URLs.
import { h, uid } from './dom.js';
import * as store from './store.js';

const TYPES = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', heic: 'image/heic', heif: 'image/heif' };
const ALLOWED = new Set(Object.values(TYPES));

export function photoType(file) {
  const type = (file.type || '').toLowerCase();
  if (ALLOWED.has(type)) return type;
  const ext = (file.name || '').split('.').pop().toLowerCase();
  return (!type || type === 'application/octet-stream') ? (TYPES[ext] || null) : null;
}

export async function sha256Hex(buffer) {
  const digest = await crypto.subtle.digest('SHA-256', buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

// Photos still being hashed and stored: submitting waits for them.
const pending = new Set();
export const photosSettled = () => Promise.allSettled([...pending]);

const urls = new Set();
export function objectUrl(blob) {
  const url = URL.createObjectURL(blob);
  urls.add(url);
  return url;
}
export function releaseUrls() {
  urls.forEach((u) => URL.revokeObjectURL(u));
  urls.clear();
}

// A block of thumbnails and the two inputs (camera, gallery) for one list of photo uuids.
// ctx: { inspection, photos (uuid → row), list (the array of uuids to add to), save(mutator) }
export function photoBlock(ctx, title) {
  const thumbs = h('ul', { class: 'thumbs', 'aria-label': `${title}照片` });
  const message = h('p', { class: 'error', role: 'alert', hidden: true });
  const addThumb = (uuid, blob, name) => {
    const remove = h('button', {
      type: 'button', class: 'thumb-del', 'aria-label': `删除照片 ${name || ''}`.trim(),
      onclick: async () => {
        // Evidence of an unannounced visit often cannot be taken again: ask first.
        if (!window.confirm(`删除这张照片${name ? `“${name}”` : ''}？暗访照片往往无法补拍，删除后不能恢复。`)) return;
        await ctx.save((rec, s) => { removeFrom(ctx.list(rec), uuid); s.photos.delete(uuid); }, ['photos']);
        li.remove();
      },
    }, '×');
    const li = h('li', { 'data-photo': uuid },
      h('img', {
        src: objectUrl(blob), alt: `照片 ${name || ''}`.trim(), width: 88, height: 88,
        // HEIC cannot be shown by every browser: a plain tile instead; the file is kept as is.
        onerror: (e) => e.target.replaceWith(h('span', { class: 'noprev' }, '照片（此浏览器无法预览）')),
      }), remove);
    thumbs.append(li);
    return li;
  };
  for (const uuid of ctx.list(ctx.inspection)) {
    const row = ctx.photos.get(uuid);
    if (row) addThumb(uuid, row.blob, row.filename).dataset.stored = '1';
  }
  const onFiles = (event) => {
    const work = addFiles(event);
    pending.add(work);
    work.finally(() => pending.delete(work));
  };
  const addFiles = async (event) => {
    const input = event.target;
    const files = Array.from(input.files || []);
    message.hidden = true;
    for (const file of files) {
      const type = photoType(file);
      if (!type) {
        message.textContent = `不支持的图片格式：${file.name}（支持 JPEG、PNG、WebP、HEIC）`;
        message.hidden = false;
        continue;
      }
      const uuid = crypto.randomUUID();
      const li = addThumb(uuid, file, file.name);
      try {
        const buffer = await file.arrayBuffer();
        const row = {
          uuid, inspection_uuid: ctx.inspection.uuid, blob: new Blob([buffer], { type }),
          sha256: await sha256Hex(buffer), size: buffer.byteLength, content_type: type,
          filename: file.name || null, added_at: new Date().toISOString(),
        };
        await ctx.save((rec, s) => { s.photos.put(row); ctx.list(rec).push(uuid); }, ['photos']);
        ctx.photos.set(uuid, row);
        li.dataset.stored = '1';
      } catch (err) {
        // Not stored (storage full?): the record must not list it.
        removeFrom(ctx.list(ctx.inspection), uuid);
        li.remove();
        const why = err && err.name === 'QuotaExceededError' ? '手机存储空间不足' : String((err && err.message) || err);
        message.textContent = `照片 ${file.name || ''} 未能保存：${why}`;
        message.hidden = false;
      }
    }
    input.value = '';
  };
  const camId = uid('cam');
  const galId = uid('gal');
  return h('div', { class: 'photos' },
    thumbs,
    h('div', { class: 'photo-actions' },
      h('input', { type: 'file', id: camId, class: 'vh', accept: 'image/*', capture: 'environment', onchange: onFiles }),
      h('label', { for: camId, class: 'button' }, `拍照（${title}）`),
      h('input', { type: 'file', id: galId, class: 'vh', accept: 'image/*,.heic,.heif', multiple: true, onchange: onFiles }),
      h('label', { for: galId, class: 'button' }, `从相册选（${title}）`)),
    message);
}

function removeFrom(list, value) {
  const i = list.indexOf(value);
  if (i >= 0) list.splice(i, 1);
}
