// The JSON API client. Remembers the CSRF token of the session and sends it
// with every mutation; asks for error messages in the interface's language
// (a logged-in user's own setting comes first on the server); turns error
// bodies into ApiError. Identical plain GETs asked while one is in flight
// share it (inFlight below).
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

// Plain GETs (no body, no extra headers) in flight, by path, language (error
// messages come in it) and quiet401: a chart's sections ask for the same
// lists at once and share one request, its answer or its error. An entry
// lives only until the answer arrives, so a later GET fetches again and
// nothing goes stale. A 401 runs the unauthorized handler once for the shared
// request, not once per caller: the handler ends the session and shows the
// login page, which one expired session needs once; a quiet401 caller never
// shares with one that runs it.
const inFlight = new Map();

export async function api(method, path, options = {}) {
  const { body, headers = {}, quiet401 = false } = options;
  if (method !== 'GET' || body !== undefined || Object.keys(headers).length) return request(method, path, options);
  const key = `${quiet401 ? 'quiet ' : ''}${language()} ${path}`;
  let entry = inFlight.get(key);
  if (!entry) {
    entry = { callers: 0, answer: request(method, path, options).finally(() => inFlight.delete(key)) };
    inFlight.set(key, entry);
  }
  entry.callers++;
  const res = await entry.answer;
  // Views sort and change what they get: each caller has its own data. The
  // last caller to resume takes the parsed answer itself, once every other
  // caller has copied it, so a GET nobody shared is never copied.
  return --entry.callers ? { ...res, data: structuredClone(res.data) } : res;
}

async function request(method, path, { body, headers = {}, quiet401 = false } = {}) {
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
