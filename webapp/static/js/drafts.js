/* Drafts of the page's forms, so that nothing typed is lost.
 *
 * What is typed into a form (text, choices, the names of chosen files) is kept in this tab's
 * sessionStorage, under the signed-in user and the form's action URL, as it is typed. When
 * the form is shown again with other values (after a new login, a refused submit, a reload)
 * the draft is put back with a note. A draft is dropped when the server accepted the form
 * (the next page names it in data-sent-form), on logout, and when another user signs in.
 * Password fields and forms marked data-no-draft are never kept.
 */
(function () {
  'use strict';

  var PREFIX = 'duban.draft|';
  var body = document.body;
  var user = body.dataset.user || '';
  var SKIP = { hidden: 1, password: 1, submit: 1, button: 1, reset: 1, image: 1 };

  function actionPath(form) {
    var url = new URL(form.getAttribute('action') || location.href, location.href);
    return url.pathname + url.search;
  }

  function key(form) {
    return PREFIX + user + '|' + (typeof form === 'string' ? form : actionPath(form));
  }

  function eligible(form) {
    return (form.method || '').toLowerCase() === 'post' && !form.hasAttribute('data-no-draft') &&
      !form.hasAttribute('data-logout') && !form.querySelector('input[type=password]');
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !el.disabled && !SKIP[el.type] && el.name !== 'csrf_token';
    });
  }

  function collect(form) {
    var values = {};
    var files = [];
    fields(form).forEach(function (el) {
      if (el.type === 'file') {
        Array.prototype.forEach.call(el.files || [], function (f) { files.push(f.name); });
        return;
      }
      var list = values[el.name] || (values[el.name] = []);
      if (el.type === 'checkbox' || el.type === 'radio') {
        if (el.checked) list.push(el.value);
      } else if (el.multiple && el.options) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { list.push(o.value); });
      } else {
        list.push(el.value);
      }
    });
    return { values: values, files: files };
  }

  function apply(form, values) {
    var seen = {};
    fields(form).forEach(function (el) {
      var list = values[el.name];
      if (!list || el.type === 'file') return;
      if (el.type === 'checkbox' || el.type === 'radio') {
        el.checked = list.indexOf(el.value) >= 0;
      } else if (el.multiple && el.options) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = list.indexOf(o.value) >= 0; });
      } else {
        var i = seen[el.name] || 0;
        if (i < list.length) el.value = list[i];
        seen[el.name] = i + 1;
      }
    });
  }

  function read(k) {
    try { return JSON.parse(sessionStorage.getItem(k) || 'null'); } catch (e) { return null; }
  }

  function save(form) {
    var now = collect(form);
    try {
      sessionStorage.setItem(key(form), JSON.stringify({
        savedAt: Date.now(), page: location.pathname, values: now.values, files: now.files
      }));
    } catch (e) { /* storage full or disabled: the form still works */ }
  }

  function clear(form) {
    sessionStorage.removeItem(key(form));
  }

  function clearAll(exceptUser) {
    for (var i = sessionStorage.length - 1; i >= 0; i--) {
      var k = sessionStorage.key(i);
      if (k && k.indexOf(PREFIX) === 0 && (exceptUser === undefined ||
          k.indexOf(PREFIX + exceptUser + '|') !== 0)) {
        sessionStorage.removeItem(k);
      }
    }
  }

  function time(ms) {
    var d = new Date(ms);
    return ('0' + d.getHours()).slice(-2) + ':' + ('0' + d.getMinutes()).slice(-2);
  }

  function note(form, draft) {
    var p = document.createElement('p');
    p.className = 'draft-note';
    p.setAttribute('role', 'status');
    var text = '已恢复您未提交的内容（' + time(draft.savedAt) + ' 自动保存）。';
    if (draft.files && draft.files.length) {
      text += '上次选择的文件需要重新选择：' + draft.files.join('、') + '。';
    }
    p.appendChild(document.createTextNode(text + ' '));
    var discard = document.createElement('button');
    discard.type = 'button';
    discard.className = 'link';
    discard.textContent = '放弃这些内容';
    discard.addEventListener('click', function () {
      clear(form);
      form.reset();
      p.remove();
    });
    p.appendChild(discard);
    form.insertBefore(p, form.firstChild);
  }

  function restore(form) {
    var draft = read(key(form));
    if (!draft || !draft.values) return;
    var before = JSON.stringify(collect(form).values);
    apply(form, draft.values);
    if (JSON.stringify(collect(form).values) === before && !(draft.files || []).length) return;
    note(form, draft);
    var box = form.closest('details');
    if (box) box.open = true;
  }

  function watch(form) {
    var pending = null;
    function later() {
      clearTimeout(pending);
      pending = setTimeout(function () { save(form); }, 300);
    }
    form.addEventListener('input', later);
    form.addEventListener('change', function () { save(form); });
    form.addEventListener('submit', function () { clearTimeout(pending); save(form); });
  }

  if (!user) return; // the login page: nothing to keep, and other users' drafts stay put

  clearAll(user); // drafts of another account in this tab are never shown to this one
  if (body.dataset.sentForm) sessionStorage.removeItem(key(body.dataset.sentForm));
  Array.prototype.forEach.call(document.forms, function (form) {
    if (form.hasAttribute('data-logout')) {
      form.addEventListener('submit', function () { clearAll(); });
      return;
    }
    if (!eligible(form)) return;
    restore(form);
    watch(form);
  });

  window.DubanDrafts = { clear: clear, save: save };
}());
