// The browser half of OAuth, scripted with fetch: authorize → sign-in form → consent form → code.
import { createHash, randomBytes } from 'node:crypto';

const base64url = buf => Buffer.from(buf).toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

/** A PKCE pair (RFC 7636, S256). */
export function pkce() {
  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

const entities = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
export function decodeHtml(s) {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return entities[e.toLowerCase()] ?? m;
  });
}

function attr(tag, name) {
  const m = tag.match(new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i'));
  return m ? decodeHtml(m[1] ?? m[2]) : undefined;
}

/**
 * A <form> of a page (the one posting to `actionPath` when given, else the first): its action, method and hidden
 * inputs. Pages carry other forms too (the top bar's search, sign-out), so a client picks the one it means.
 */
export function parseForm(html, actionPath) {
  const forms = [...html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/gi)];
  const form = actionPath === undefined
    ? forms[0]
    : forms.find((f) => (attr(f[0].match(/<form\b[^>]*>/i)[0], 'action') ?? '').split('?')[0] === actionPath);
  if (!form) throw new Error(`no <form>${actionPath ? ` posting to ${actionPath}` : ''} in the page:\n${html.slice(0, 2000)}`);
  const open = form[0].match(/<form\b[^>]*>/i)[0];
  const hidden = {};
  for (const input of form[1].matchAll(/<input\b[^>]*>/gi)) {
    if ((attr(input[0], 'type') ?? '').toLowerCase() !== 'hidden') continue;
    hidden[attr(input[0], 'name')] = attr(input[0], 'value') ?? '';
  }
  return { action: attr(open, 'action'), method: (attr(open, 'method') ?? 'get').toLowerCase(), hidden };
}

/** A tiny browser: a cookie jar and no automatic redirects. */
export class Browser {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
    this.trail = [];
  }

  async request(path, init = {}) {
    const url = new URL(path, this.base);
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=thu, 01 jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    this.trail.push(`${init.method ?? 'GET'} ${url.pathname} → ${res.status}`);
    return res;
  }

  get(path) { return this.request(path); }

  post(path, fields) {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}

function expectRedirect(res, what, browser) {
  if (res.status < 300 || res.status > 399) {
    throw new Error(`${what}: expected a redirect, got ${res.status} (${browser.trail.join(', ')})`);
  }
  return res.headers.get('location');
}

/**
 * Signs `login` in through the server's pages and approves the consent; returns { code, state, page }.
 * `authorizeUrl` is the full /oauth/authorize URL the app would open in a browser.
 */
export async function authorizeInBrowser({ base, authorizeUrl, login, password, redirectUri }) {
  const browser = new Browser(base);
  let res = await browser.get(authorizeUrl);
  const signInLocation = expectRedirect(res, 'GET /oauth/authorize without a session', browser);
  if (!new URL(signInLocation, base).pathname.startsWith('/auth/sign_in')) {
    throw new Error(`GET /oauth/authorize redirected to ${signInLocation}, not to the sign-in page`);
  }

  res = await browser.get(signInLocation);
  if (res.status !== 200) throw new Error(`sign-in page answered ${res.status}`);
  const signIn = parseForm(await res.text(), '/auth/sign_in');
  if (!signIn.hidden.__RequestVerificationToken) throw new Error('the sign-in form has no antiforgery token');
  res = await browser.post(signIn.action ?? '/auth/sign_in', { ...signIn.hidden, login, password });
  const back = expectRedirect(res, 'POST /auth/sign_in', browser);

  res = await browser.get(back);
  if (res.status !== 200) throw new Error(`consent page answered ${res.status} (${browser.trail.join(', ')})`);
  const consentHtml = await res.text();
  const consent = parseForm(consentHtml, '/oauth/authorize');
  res = await browser.post(consent.action ?? '/oauth/authorize', { ...consent.hidden, decision: 'approve' });

  if (redirectUri === 'urn:ietf:wg:oauth:2.0:oob') {
    if (res.status !== 200) throw new Error(`oob consent answered ${res.status}, expected the code page`);
    const page = await res.text();
    const m = page.match(/<[a-z]+[^>]*\bid="code"[^>]*>([^<]+)</i);
    if (!m) throw new Error(`no element with id "code" on the oob page:\n${page.slice(0, 2000)}`);
    return { code: decodeHtml(m[1]).trim(), state: undefined, consentHtml };
  }
  const location = expectRedirect(res, 'POST /oauth/authorize (approve)', browser);
  const target = new URL(location, base);
  if (!location.startsWith(redirectUri)) throw new Error(`approval redirected to ${location}, not to ${redirectUri}`);
  const code = target.searchParams.get('code');
  if (!code) throw new Error(`approval redirected without a code: ${location}`);
  return { code, state: target.searchParams.get('state') ?? undefined, consentHtml };
}

/** The /oauth/authorize URL for an authorization code request with PKCE S256. */
export function authorizeUrl(base, { clientId, redirectUri, scope, challenge, state }) {
  const u = new URL('/oauth/authorize', base);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', clientId);
  u.searchParams.set('redirect_uri', redirectUri);
  u.searchParams.set('scope', scope);
  if (challenge) {
    u.searchParams.set('code_challenge', challenge);
    u.searchParams.set('code_challenge_method', 'S256');
  }
  if (state) u.searchParams.set('state', state);
  return u.toString();
}

/** The token exchange as a form post (RFC 6749 §4.1.3), what every OAuth library sends. */
export async function exchangeCode(base, { clientId, clientSecret, code, redirectUri, verifier }) {
  const body = new URLSearchParams({
    grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, code, redirect_uri: redirectUri,
  });
  if (verifier) body.set('code_verifier', verifier);
  const res = await fetch(new URL('/oauth/token', base), {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body,
  });
  const json = await res.json().catch(() => ({}));
  return { status: res.status, json };
}
