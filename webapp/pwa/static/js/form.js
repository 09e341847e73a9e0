// The inspection form: unit, mode, place, position, companions, checklist and findings.
// Every input is written to IndexedDB at once (debounced lightly), photos immediately.
import { debounce, h, isoLocal, showTime, uid } from './dom.js';
import { photoBlock, photosSettled, releaseUrls } from './photos.js';
import * as store from './store.js';


export function newInspection(owner) {
  return {
    uuid: crypto.randomUUID(), owner, status: 'draft', created_at: new Date().toISOString(),
    target_unit_id: null, mode: 'unannounced', started_at: isoLocal(), ended_at: null,
    place: '', gps: null, companions: '', checklist: {}, findings: [],
  };
}

export async function renderForm(root, rec, ref, { onQueued }) {
  releaseUrls();
  const photos = new Map((await store.photosOf(rec.uuid)).map((p) => [p.uuid, p]));
  // Photo changes (mutate) are applied to the record inside the transaction that stores them.
  const save = async (mutate = () => {}, extra = []) => {
    await store.tx(['inspections', ...extra], 'readwrite', (s) => {
      mutate(rec, s);
      rec.updated_at = new Date().toISOString();
      s.inspections.put(rec);
    });
    status.textContent = `已保存在本机 ${showTime(rec.updated_at)}`;
  };
  const saveSoon = debounce(() => save().catch((err) => {
    status.textContent = `未能保存到本机（${err && err.name === 'QuotaExceededError' ? '存储空间不足' : err}），请勿关闭页面`;
  }), 250);
  const field = (key) => (event) => { rec[key] = event.target.value; saveSoon(); };
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite', id: 'saved' }, '自动保存在本机');
  const ctxFor = (list) => ({ inspection: rec, photos, list, save });

  // Unit: a searchable list of radio buttons.
  const unitList = h('div', { class: 'unit-list', role: 'radiogroup', 'aria-labelledby': 'unit-legend' });
  const unitSearch = h('input', { type: 'search', id: 'unit-search', placeholder: '输入名称或编号筛选', autocomplete: 'off' });
  const checklistBox = h('div', { id: 'checklist' });
  for (const unit of ref.units) {
    const label = h('label', { class: 'choice', 'data-search': `${unit.name} ${unit.code} ${unit.kind_label || ''}` },
      h('input', {
        type: 'radio', name: 'target_unit', value: unit.id, checked: unit.id === rec.target_unit_id,
        onchange: () => { rec.target_unit_id = unit.id; save(); drawChecklist(); },
      }),
      ` ${unit.name}`, h('span', { class: 'muted' }, ` ${unit.kind_label || ''}`));
    unitList.append(label);
  }
  unitSearch.addEventListener('input', () => {
    const q = unitSearch.value.trim().toLowerCase();
    for (const label of unitList.children) label.hidden = q !== '' && !label.dataset.search.toLowerCase().includes(q);
  });

  const drawChecklist = () => {
    const unit = ref.units.find((u) => u.id === rec.target_unit_id);
    const items = unit ? (ref.checklists[unit.kind] || []) : [];
    checklistBox.replaceChildren(...[
      h('h2', {}, '检查项'),
      !unit ? h('p', { class: 'muted' }, '先选择被检查单位。') : null,
      unit && !items.length ? h('p', { class: 'muted' }, '该类单位没有检查项。') : null,
      ...items.map((item, i) => checklistItem(item, i + 1))].filter(Boolean));
  };
  const checklistItem = (item, n) => {
    const entry = () => {
      rec.checklist[item.id] ||= { result: null, note: '', photos: [] };
      return rec.checklist[item.id];
    };
    const cur = rec.checklist[item.id] || {};
    const legendId = uid('item');
    const noteId = uid('note');
    return h('fieldset', { class: 'card item', 'data-item': item.id },
      h('legend', { id: legendId }, `${n}. ${item.text}`),
      item.category ? h('p', { class: 'muted small' }, item.category) : null,
      h('div', { class: 'seg', role: 'radiogroup', 'aria-labelledby': legendId },
        ref.results.map(({ value, label }) => h('label', { class: `choice result-${value}` },
          h('input', {
            type: 'radio', name: `item-${item.id}`, value, checked: cur.result === value,
            onchange: () => { entry().result = value; save(); },
          }), ` ${label}`))),
      h('label', { for: noteId }, '说明'),
      h('textarea', {
        id: noteId, rows: 2, value: cur.note || '',
        oninput: (e) => { entry().note = e.target.value; saveSoon(); },
      }),
      photoBlock(ctxFor((r) => {
        r.checklist[item.id] ||= { result: null, note: '', photos: [] };
        return r.checklist[item.id].photos;
      }), `第${n}项`));
  };

  // Findings (发现问题).
  const findingsBox = h('div', { id: 'findings' });
  const drawFindings = () => {
    findingsBox.replaceChildren(...rec.findings.map((f, i) => findingCard(f, i + 1)));
  };
  const select = (id, options, value, onchange) => h('select', { id, onchange },
    h('option', { value: '' }, '请选择'),
    options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));
  const findingCard = (f, n) => {
    const ids = { cat: uid('cat'), sev: uid('sev'), desc: uid('desc') };
    const set = (key) => (e) => { f[key] = e.target.value; saveSoon(); };
    return h('fieldset', { class: 'card finding', 'data-finding': f.uuid },
      h('legend', {}, `问题 ${n}`),
      h('label', { for: ids.cat }, '问题类别'),
      select(ids.cat, ref.finding_categories, f.category, set('category')),
      h('label', { for: ids.sev }, '严重程度'),
      select(ids.sev, ref.severities, f.severity, set('severity')),
      h('label', { for: ids.desc }, '问题描述'),
      h('textarea', { id: ids.desc, rows: 3, value: f.description, oninput: set('description') }),
      photoBlock(ctxFor((r) => r.findings.find((x) => x.uuid === f.uuid).photos), `问题${n}`),
      h('button', {
        type: 'button', class: 'danger',
        onclick: async () => {
          if (!window.confirm(`删除问题 ${n}？`)) return;
          await save((r, s) => {
            const gone = r.findings.find((x) => x.uuid === f.uuid);
            r.findings = r.findings.filter((x) => x.uuid !== f.uuid);
            gone.photos.forEach((p) => s.photos.delete(p));
          }, ['photos']);
          drawFindings();
        },
      }, `删除问题 ${n}`));
  };
  const addFinding = h('button', {
    type: 'button', class: 'wide',
    onclick: async () => {
      rec.findings.push({ uuid: crypto.randomUUID(), category: '', severity: '', description: '', photos: [] });
      await save();
      drawFindings();
      findingsBox.lastElementChild.querySelector('select').focus();
    },
  }, '添加问题');

  // Position: asked for, never required.
  const gpsText = h('p', { id: 'gps-text', 'aria-live': 'polite' }, gpsLabel(rec.gps));
  const gpsButton = h('button', {
    type: 'button', onclick: () => {
      if (!navigator.geolocation) { gpsText.textContent = '此设备不支持定位'; return; }
      gpsText.textContent = '正在获取位置…';
      navigator.geolocation.getCurrentPosition((pos) => {
        rec.gps = { lat: pos.coords.latitude, lon: pos.coords.longitude, accuracy: pos.coords.accuracy };
        gpsText.textContent = gpsLabel(rec.gps);
        save();
      }, (err) => {
        gpsText.textContent = `未能获取位置（${err.code === 1 ? '未允许定位' : '信号不足或超时'}），可不填`;
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    },
  }, '获取位置');
  const gpsClear = h('button', { type: 'button', onclick: () => { rec.gps = null; gpsText.textContent = gpsLabel(null); save(); } }, '清除位置');

  const error = h('p', { class: 'error', role: 'alert', id: 'form-error', tabindex: -1, hidden: true });
  const submit = h('button', {
    type: 'button', class: 'primary wide', id: 'submit',
    onclick: async () => {
      submit.disabled = true;
      await photosSettled();
      saveSoon.flush();
      const problem = validate(rec) || await onQueued(rec, photos);
      submit.disabled = false;
      error.hidden = !problem;
      error.textContent = problem || '';
      if (problem) error.focus();
    },
  }, '提交检查');
  const discard = h('button', {
    type: 'button', class: 'danger wide',
    onclick: async () => {
      if (!window.confirm('删除这份草稿和它的照片？删除后无法恢复。')) return;
      await store.tx(['inspections', 'photos'], 'readwrite', (s) => {
        s.inspections.delete(rec.uuid);
        photos.forEach((p) => s.photos.delete(p.uuid));
      });
      window.location.hash = '#/';
    },
  }, '删除草稿');

  root.replaceChildren(h('form', { class: 'form', id: 'inspection-form', novalidate: true, onsubmit: (e) => e.preventDefault() },
    h('p', {}, h('a', { href: '#/', class: 'back' }, '‹ 返回列表')),
    h('h2', {}, '检查记录'),
    h('p', { class: 'muted' }, `开始时间：${showTime(rec.started_at)}`),
    h('fieldset', { class: 'card' },
      h('legend', { id: 'unit-legend' }, '被检查单位'),
      h('label', { for: 'unit-search' }, '搜索单位'), unitSearch, unitList),
    h('fieldset', { class: 'card' },
      h('legend', { id: 'mode-legend' }, '检查方式'),
      h('div', { class: 'seg', role: 'radiogroup', 'aria-labelledby': 'mode-legend' },
        ref.modes.map((m) => h('label', { class: 'choice' },
          h('input', { type: 'radio', name: 'mode', value: m.value, checked: rec.mode === m.value, onchange: () => { rec.mode = m.value; save(); } }),
          ` ${m.label}`)))),
    h('div', { class: 'card' },
      h('label', { for: 'place' }, '检查地点'),
      h('input', { id: 'place', value: rec.place || '', maxlength: 200, autocomplete: 'off', oninput: field('place') }),
      h('p', { class: 'label' }, '位置（可选）'),
      gpsText, h('div', { class: 'row' }, gpsButton, gpsClear),
      h('label', { for: 'companions' }, '同行人员'),
      h('input', { id: 'companions', value: rec.companions || '', maxlength: 200, autocomplete: 'off', oninput: field('companions') })),
    checklistBox,
    h('h2', {}, '发现问题'),
    findingsBox, addFinding,
    error, status, submit, discard));
  drawChecklist();
  drawFindings();
  return { flush: () => saveSoon.flush() };
}

function gpsLabel(gps) {
  if (!gps) return '未记录位置';
  return `纬度 ${gps.lat.toFixed(6)}，经度 ${gps.lon.toFixed(6)}，精度约 ${Math.round(gps.accuracy)} 米`;
}

function validate(rec) {
  if (!rec.target_unit_id) return '请选择被检查单位';
  if (!rec.mode) return '请选择检查方式';
  const n = rec.findings.findIndex((f) => !f.category || !f.severity || !f.description.trim());
  if (n >= 0) return `问题 ${n + 1}：请填写类别、严重程度和描述`;
  return null;
}
