/* Forms with files (form[data-upload]): the limits checked before sending, upload progress,
 * and any refusal shown on the page, which stays with everything typed and chosen.
 *
 * The file input states its limits in data-max-file-bytes, data-max-total-bytes and
 * data-max-files (kept files, input[name=keep_attachment], count too) and its types in
 * `accept`. The form is sent with XMLHttpRequest (fetch cannot report upload progress) and
 * the X-Duban-Form header, so that a redirect comes back as X-Duban-Location (webapp/web/
 * submits.py): to the login page when the session has ended, else to the next page.
 */
(function () {
  'use strict';

  var body = document.body;

  function mb(bytes) {
    var v = bytes / 1024 / 1024;
    return (v >= 10 ? Math.round(v) : Math.round(v * 10) / 10) + ' MB';
  }

  function extensions(input) {
    return (input.accept || '').split(',').map(function (s) { return s.trim().toLowerCase(); })
      .filter(function (s) { return s.charAt(0) === '.'; });
  }

  function problems(form, input) {
    var files = Array.prototype.slice.call(input.files || []);
    var maxFile = Number(input.dataset.maxFileBytes);
    var maxTotal = Number(input.dataset.maxTotalBytes);
    var maxFiles = Number(input.dataset.maxFiles);
    var kept = form.querySelectorAll('input[name=keep_attachment]:checked').length;
    var exts = extensions(input);
    var out = [];
    if (maxFiles && files.length + kept > maxFiles) {
      out.push('一份反馈最多 ' + maxFiles + ' 个附件' + (kept ? '（含沿用的 ' + kept + ' 个）' : '') +
               '，现在有 ' + (files.length + kept) + ' 个。');
    }
    var total = 0;
    files.forEach(function (f) {
      total += f.size;
      var dot = f.name.lastIndexOf('.');
      var ext = dot >= 0 ? f.name.slice(dot).toLowerCase() : '';
      if (exts.length && exts.indexOf(ext) < 0) {
        out.push('“' + f.name + '”不是可上传的文件类型。');
      } else if (f.size === 0) {
        out.push('“' + f.name + '”是空文件（0 字节）。');
      } else if (maxFile && f.size > maxFile) {
        out.push('“' + f.name + '”有 ' + mb(f.size) + '，超过每个文件 ' + mb(maxFile) +
                 ' 的上限，请压缩或拆分后再上传。');
      }
    });
    if (maxTotal && total > maxTotal) {
      out.push('所选文件合计 ' + mb(total) + '，超过一次提交 ' + mb(maxTotal) + ' 的上限。');
    }
    return out;
  }

  function statusBox(input) {
    var hint = document.getElementById(input.getAttribute('aria-describedby') || '');
    var holder = hint || input.closest('label') || input;
    var box = holder.parentNode.querySelector('.upload-status');
    if (!box) {
      box = document.createElement('div');
      box.className = 'upload-status';
      box.setAttribute('aria-live', 'polite');
      holder.parentNode.insertBefore(box, holder.nextSibling);
    }
    return box;
  }

  function say(box, lines, isError) {
    box.textContent = '';
    box.classList.toggle('error', !!isError);
    box.setAttribute('role', isError ? 'alert' : 'status');
    lines.forEach(function (line) {
      var p = document.createElement('p');
      p.textContent = line;
      box.appendChild(p);
    });
  }

  function chosen(form, input) {
    var box = statusBox(input);
    var bad = problems(form, input);
    if (bad.length) { say(box, bad, true); return false; }
    var files = Array.prototype.slice.call(input.files || []);
    var total = files.reduce(function (n, f) { return n + f.size; }, 0);
    say(box, files.length ? ['已选择 ' + files.length + ' 个文件，共 ' + mb(total) + '。'] : [], false);
    return true;
  }

  function send(form, input, button) {
    var box = statusBox(input);
    var bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    say(box, ['正在上传…'], false);
    box.appendChild(bar);
    var line = box.firstChild;
    button.disabled = true;

    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('X-Duban-Form', '1');
    xhr.upload.addEventListener('progress', function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.floor(e.loaded / e.total * 100);
      bar.value = pct;
      line.textContent = '正在上传 ' + pct + '%（' + mb(e.loaded) + ' / ' + mb(e.total) + '）';
    });
    function failed(lines) {
      button.disabled = false;
      say(box, lines, true);
    }
    xhr.addEventListener('load', function () {
      var to = xhr.getResponseHeader('X-Duban-Location');
      if (to) {
        var url = new URL(to, location.href);
        if (url.origin !== location.origin) { failed(['提交结果无法识别，请刷新页面查看。']); return; }
        if (url.pathname !== body.dataset.loginUrl && window.DubanDrafts) window.DubanDrafts.clear(form);
        line.textContent = url.pathname === body.dataset.loginUrl ? '登录已超时，正在转到登录页面…' : '已提交。';
        location.assign(url.href);
        return;
      }
      if (xhr.status < 400) { location.reload(); return; }
      var page = new DOMParser().parseFromString(xhr.responseText || '', 'text/html');
      var message = page.querySelector('#action-error, .error[role=alert]');
      var text = message ? message.textContent.trim().replace(/[。.]$/, '') : '提交失败（' + xhr.status + '）';
      failed([text + '。填写的内容仍在本页，修改后可以重新提交。']);
    });
    xhr.addEventListener('error', function () {
      failed(['网络连接中断，没有提交成功。填写的内容和选择的文件仍在本页，请检查网络后重新提交。']);
    });
    xhr.send(new FormData(form));
  }

  Array.prototype.forEach.call(document.querySelectorAll('form[data-upload]'), function (form) {
    var input = form.querySelector('input[type=file]');
    if (!input) return;
    input.addEventListener('change', function () { chosen(form, input); });
    form.addEventListener('change', function (e) {
      if (e.target.name === 'keep_attachment') chosen(form, input);
    });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var button = form.querySelector('button[type=submit], button:not([type])');
      if (button && button.disabled) return; // already sending
      if (!chosen(form, input)) { input.focus(); return; }
      button = button || document.createElement('button');
      if (!input.files || !input.files.length) { send(form, input, button); return; }
      // Files can be large: if the session has ended, go to the login page before uploading.
      fetch(body.dataset.sessionUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.authenticated) { send(form, input, button); return; }
          if (window.DubanDrafts) window.DubanDrafts.save(form);
          location.assign(body.dataset.loginUrl + '?next=' +
                          encodeURIComponent(location.pathname + location.search));
        })
        .catch(function () { send(form, input, button); });
    });
  });
}());
