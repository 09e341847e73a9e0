// Local storage of the phone app: IndexedDB holds drafts, photos (as Blobs), the outbox and
// the reference data (units, checklists), so that nothing typed is lost when offline.
const DB_NAME = 'duban-pwa';
const DB_VERSION = 1;
let opening = null;

export function openDb() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore('inspections', { keyPath: 'uuid' });
        db.createObjectStore('photos', { keyPath: 'uuid' }).createIndex('inspection', 'inspection_uuid');
        db.createObjectStore('outbox', { keyPath: 'uuid' });
        db.createObjectStore('meta');
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return opening;
}

// Run fn(stores) in one transaction; resolves with fn's result once the transaction commits.
export async function tx(names, mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const t = db.transaction(names, mode, { durability: 'strict' });
    const stores = Object.fromEntries([names].flat().map((n) => [n, t.objectStore(n)]));
    let result;
    Promise.resolve(fn(stores)).then((r) => { result = r; }, (err) => { t.abort(); reject(err); });
    t.oncomplete = () => resolve(result);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('transaction aborted'));
  });
}

export const req = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

export const get = (store, key) => tx(store, 'readonly', (s) => req(s[store].get(key)));
export const all = (store) => tx(store, 'readonly', (s) => req(s[store].getAll()));
export const put = (store, value, key) => tx(store, 'readwrite', (s) => { s[store].put(value, key); });
export const photosOf = (uuid) => tx('photos', 'readonly',
  (s) => req(s.photos.index('inspection').getAll(uuid)));
