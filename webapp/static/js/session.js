/* The idle timeout, told before it happens.
 *
 * Shortly before the signed-in session would end for lack of activity, the page asks the
 * server how long is left (GET /session, which does not count as activity). If the user has
 * typed on this page meanwhile, the session is kept alive quietly; otherwise a banner says when
 * it ends, with a button to stay signed in (POST /session/keep-alive). When it has ended, the
 * banner says so and links to the login page, which brings the user back here; what was typed
 * is kept by drafts.js.
 */
(function () {
  'use strict';

  var body = document.body;
  if (!body.dataset.user) return;

  var idle = Number(body.dataset.idleSeconds) || 1800;
  var lead = Math.min(180, idle / 2); // warn this many seconds before the end
  var timer = null;
  var ticker = null;
  var typed = false;
  var banner = null;

  function csrf() {
    var meta = document.querySelector('meta[name=csrf-token]');
    return meta ? meta.content : '';
  }

  function loginUrl() {
    return body.dataset.loginUrl + '?next=' + encodeURIComponent(location.pathname + location.search);
  }

  function schedule(seconds) {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, seconds) * 1000);
  }

  function ask(method, url) {
    var headers = { Accept: 'application/json' };
    if (method === 'POST') headers['X-CSRFToken'] = csrf();
    return fetch(url, { method: method, headers: headers, credentials: 'same-origin' })
      .then(function (r) {
        var type = r.headers.get('Content-Type') || '';
        return type.indexOf('json') >= 0 ? r.json() : { authenticated: false };
      });
  }

  function check() {
    ask('GET', body.dataset.sessionUrl).then(function (s) {
      if (!s.authenticated) { ended(); return; }
      var left = Math.min(s.idle_left, s.absolute_left);
      if (left > lead) { hide(); schedule(left - lead); return; }
      if (s.idle_left <= s.absolute_left && typed) { stay(); return; }
      warn(left, s.idle_left > s.absolute_left);
      schedule(left + 1);
    }).catch(function () { schedule(30); }); // offline for a moment: ask again soon
  }

  function stay() {
    ask('POST', body.dataset.keepAliveUrl).then(function (s) {
      if (!s.authenticated) { ended(); return; }
      typed = false;
      hide();
      schedule(Math.min(s.idle_left, s.absolute_left) - lead);
    }).catch(function () { schedule(10); });
  }

  function show(text, button, action) {
    if (!banner) {
      banner = document.createElement('div');
      banner.className = 'session-banner';
      banner.setAttribute('role', 'alertdialog');
      banner.setAttribute('aria-live', 'assertive');
      banner.setAttribute('aria-label', '登录状态');
      banner.innerHTML = '<p class="session-text"></p><span class="session-action"></span>';
      document.body.insertBefore(banner, document.body.firstChild);
    }
    banner.querySelector('.session-text').textContent = text;
    var slot = banner.querySelector('.session-action');
    slot.textContent = '';
    if (button) {
      var el = document.createElement(action.href ? 'a' : 'button');
      el.textContent = button;
      el.className = action.href ? 'button primary' : 'primary';
      if (action.href) el.href = action.href; else { el.type = 'button'; el.addEventListener('click', action.click); }
      slot.appendChild(el);
    }
    banner.hidden = false;
  }

  function hide() {
    clearInterval(ticker);
    if (banner) banner.hidden = true;
  }

  function minutes(seconds) {
    var m = Math.floor(seconds / 60);
    var s = Math.max(0, Math.floor(seconds % 60));
    return m > 0 ? m + ' 分 ' + s + ' 秒' : s + ' 秒';
  }

  function warn(left, absolute) {
    var end = Date.now() + left * 1000;
    clearInterval(ticker);
    function render() {
      var rest = Math.max(0, (end - Date.now()) / 1000);
      if (absolute) {
        show('本次登录已接近最长使用时间，将在 ' + minutes(rest) + '后结束。请先提交正在填写的内容，再重新登录。');
      } else {
        show('您已较长时间没有操作，登录将在 ' + minutes(rest) + '后超时。', '继续使用', { click: stay });
      }
    }
    render();
    ticker = setInterval(render, 1000);
  }

  function ended() {
    clearInterval(ticker);
    clearTimeout(timer);
    show('登录已超时。本页填写的内容已保留在本页；重新登录后会回到这里继续。', '重新登录', { href: loginUrl() });
  }

  document.addEventListener('input', function () { typed = true; }, true);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') check(); // timers sleep with the tab
  });
  // The page load refreshed the server's idle clock unless it had done so within the minute.
  schedule(idle - 60 - lead);
}());
