// The service worker of the phone app (scope /m/). self.SHELL = {version, urls} is written
// above this file by the server. It keeps the app shell in a versioned cache so the app
// opens with no network; it caches nothing else (records live in the app's IndexedDB).
const PREFIX = 'duban-shell-';
const CACHE = PREFIX + self.SHELL.version;
const SHELL_URLS = new Set(self.SHELL.urls);
const NAV_TIMEOUT_MS = 5000;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(self.SHELL.urls.map(async (url) => {
      // redirect: 'error' — a login page must never be cached as the shell.
      const resp = await fetch(url, { cache: 'no-cache', redirect: 'error', credentials: 'same-origin' });
      if (!resp.ok) throw new Error(`precache ${url}: ${resp.status}`);
      await cache.put(url, resp);
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate' && url.pathname === '/m/') {
    event.respondWith(shellPage(req));
  } else if (SHELL_URLS.has(url.pathname)) {
    event.respondWith(cacheFirst(url.pathname, req));
  }
});

// The page: from the network when it answers (so the login rule applies online), else the
// cached shell — offline, on a dead connection, or when the server fails.
async function shellPage(req) {
  try {
    const resp = await Promise.race([
      fetch(req),
      new Promise((_, reject) => { setTimeout(() => reject(new Error('timeout')), NAV_TIMEOUT_MS); }),
    ]);
    if (resp.status < 500) return resp;
  } catch { /* no network: the cached shell below */ }
  return (await caches.match('/m/', { cacheName: CACHE })) || Response.error();
}

async function cacheFirst(path, req) {
  return (await caches.match(path, { cacheName: CACHE })) || fetch(req);
}
