// The JSON API client. Remembers the CSRF token of the session and sends it
// with every mutation; asks for error messages in the interface's language
// (a logged-in user's own setting comes first on the server); turns error
// bodies into ApiError.
import { language } from './i18n.js';

let csrfToken = null;
let unauthorizedHandler = null;

export function setCsrf(token) { csrfToken = token || null; }
export function onUnauthorized(fn) { unauthorizedHandler = fn; }

export class ApiError extends Error {
  constructor(status, body, headers) {
    const err = (body && body.error) || {};
    super(err.message || `HTTP ${status}`);
    this.status = status;
    this.code = err.code || '';
    this.field = err.field || '';
    this.detail = err.detail || '';
    this.language = (headers && headers.get('Content-Language')) || '';
    this.body = body || {};
    this.retryAfter = headers ? headers.get('Retry-After') : null;
  }
}

export async function api(method, path, { body, headers = {}, quiet401 = false } = {}) {
  const opts = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'Accept-Language': language(), ...headers },
  };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) opts.headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(`/api/v1${path}`, opts);
  } catch (e) {
    const err = new ApiError(0, { error: { code: 'network', message: '' } });
    err.cause = e;
    throw err;
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data, res.headers);
    if (res.status === 401 && !quiet401 && unauthorizedHandler) unauthorizedHandler(err);
    throw err;
  }
  return { data, status: res.status, etag: res.headers.get('ETag') };
}

// "N" from an ETag header (W/"N" or "N"), or null.
export function versionFromEtag(etag) {
  if (!etag) return null;
  const m = /"?(\d+)"?\s*$/.exec(etag);
  return m ? Number(m[1]) : null;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
