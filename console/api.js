// The node's API as the console uses it: the bearer token (sessionStorage,
// gone when the tab closes), JSON GETs, file downloads, and errors that tell
// "this node does not serve that endpoint (yet)" apart from other failures.

const TOKEN_KEY = 'udi-console-token';

export const session = {
  token() { return sessionStorage.getItem(TOKEN_KEY) || ''; },
  signIn(token) { sessionStorage.setItem(TOKEN_KEY, token); },
  signOut() { sessionStorage.removeItem(TOKEN_KEY); },
  signedIn() { return this.token() !== ''; },
};

export class ApiError extends Error {
  // status: HTTP status (0: network); missing: the node has no such endpoint.
  constructor(path, status, message, field, missing) {
    super(message);
    this.path = path;
    this.status = status;
    this.field = field || '';
    this.missing = missing;
  }
}

function headers(accept) {
  const h = {Accept: accept};
  if (session.signedIn()) h.Authorization = `Bearer ${session.token()}`;
  return h;
}

async function request(path, accept) {
  let res;
  try {
    res = await fetch(path, {headers: headers(accept), cache: 'no-store'});
  } catch (e) {
    throw new ApiError(path, 0, `the node did not answer (${e.message})`, '', false);
  }
  if (res.ok) return res;
  const text = await res.text();
  let message = `${res.status} ${res.statusText}`;
  let field = '';
  try {
    const body = JSON.parse(text);
    if (body && typeof body.error === 'string') message = body.error;
    if (body && typeof body.field === 'string') field = body.field;
  } catch (_) { /* not JSON: keep the status line */ }
  // The router answers an unknown path with "no such endpoint: <path>"; a
  // handler's own 404 (unknown recall, ...) says something else.
  const missing = res.status === 404 && message.startsWith('no such endpoint');
  if (res.status === 401) session.signOut();
  throw new ApiError(path, res.status, message, field, missing);
}

// GET path (already encoded) → parsed JSON. Throws ApiError.
export async function getJson(path) {
  const res = await request(path, 'application/json');
  return res.json();
}

// GET path → text.
export async function getText(path) {
  const res = await request(path, '*/*');
  return res.text();
}

// GET path and save the answer as a file: the name from Content-Disposition,
// else `fallbackName`. Returns the name used.
export async function download(path, fallbackName) {
  const res = await request(path, '*/*');
  const blob = await res.blob();
  const disposition = res.headers.get('Content-Disposition') || '';
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = m ? decodeURIComponent(m[1]) : fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}

// The path segment for an identifier (EPC URI, Digital Link, raw scan).
export function segment(id) { return encodeURIComponent(id); }

// A sentence for an ApiError, naming the endpoint when it is missing.
export function describe(error, what) {
  if (!(error instanceof ApiError)) return `${what}: ${error.message}`;
  if (error.missing) {
    return `${what} is not available on this node: GET ${decodeURIComponent(error.path.split('?')[0])} ` +
           'answered 404 "no such endpoint". The node runs a build without it.';
  }
  if (error.status === 0) return `${what}: ${error.message}`;
  const field = error.field ? ` (${error.field})` : '';
  return `${what}: ${error.status}${field} ${error.message}`;
}
