import { createHash } from 'node:crypto';
import type { AuthorizeRequest } from '../../../domain/social/oauth.service';

// The sign-in and consent page of `/oauth/authorize`, rendered on the server: no script at all, one stylesheet
// allowed by its hash, forms posting back here. Every value from the request is escaped.

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;background:#1e1f22;color:#dbdee1;margin:0}
main{max-width:26rem;margin:3rem auto;padding:1.5rem;background:#2b2d31;border-radius:8px}
h1{font-size:1.3rem;margin:0 0 .5rem}label{display:block;margin:.75rem 0 .25rem;font-size:.9rem}
input{box-sizing:border-box;width:100%;padding:.5rem;border-radius:4px;border:1px solid #444;background:#1e1f22;color:inherit}
ul{padding-left:1.2rem}.error{background:#5c1f22;padding:.5rem;border-radius:4px}
.actions{display:flex;gap:.5rem;margin-top:1rem}button{flex:1;padding:.6rem;border:0;border-radius:4px;font:inherit;cursor:pointer}
button[value=allow]{background:#5865f2;color:#fff}button[value=deny]{background:#4e5058;color:#fff}
code{word-break:break-all;background:#1e1f22;padding:.25rem;display:block}`;
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** What each scope lets an app do, in words. */
const SCOPE_WORDS: Record<string, string> = {
  read: 'read everything your account can see',
  write: 'post, edit and delete for you, and change your profile',
  follow: 'follow, unfollow, block and mute accounts',
  push: 'receive push notifications',
  profile: 'know who you are (your profile only)',
};

/** The page's Content-Security-Policy: nothing runs; forms post here and may be redirected to the client. */
export function authorizePolicy(redirectUri: string | null): string {
  const targets = ["'self'"];
  if (redirectUri) {
    try {
      const url = new URL(redirectUri);
      // A redirect after a form post is checked against form-action too (Chromium): allow the client's own target.
      targets.push(url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol);
    } catch {}
  }
  return [
    "default-src 'none'",
    `style-src 'sha256-${STYLE_HASH}'`,
    `form-action ${targets.join(' ')}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · Hearth</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

/** The consent page: who asks for what, a sign-in, and allow or deny. */
export function consentPage(
  request: AuthorizeRequest,
  opts: { error?: string; login?: string } = {},
): string {
  const hidden = {
    response_type: 'code',
    client_id: request.app.id,
    redirect_uri: request.redirectUri,
    scope: request.scopes.join(' '),
    state: request.state,
    code_challenge: request.codeChallenge,
    code_challenge_method: request.codeChallenge ? 'S256' : null,
  };
  const fields = Object.entries(hidden)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(String(v))}">`)
    .join('');
  const scopes = request.scopes
    .map(
      (s) =>
        `<li><strong>${escapeHtml(s)}</strong>${SCOPE_WORDS[s] ? ` — ${escapeHtml(SCOPE_WORDS[s])}` : ''}</li>`,
    )
    .join('');
  const site = request.app.website ? ` (<span>${escapeHtml(request.app.website)}</span>)` : '';
  return page(
    'Authorize',
    `<h1>Authorize ${escapeHtml(request.app.name)}</h1><p>${escapeHtml(request.app.name)}${site} asks to use your Hearth account. It will be able to:</p><ul>${scopes}</ul>` +
      (opts.error ? `<p class="error" role="alert">${escapeHtml(opts.error)}</p>` : '') +
      `<form method="post" action="/oauth/authorize">${fields}<label for="login">Email or username</label><input id="login" name="login" autocomplete="username" required value="${escapeHtml(opts.login ?? '')}"><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required><div class="actions"><button type="submit" name="decision" value="allow">Authorize</button></div></form>` +
      `<form method="post" action="/oauth/authorize">${fields}<div class="actions"><button type="submit" name="decision" value="deny">Deny</button></div></form>`,
  );
}

/** A request that cannot go back to its client (unknown client or redirect URI): said to the person only. */
export function errorPage(description: string): string {
  return page(
    'Authorization failed',
    `<h1>This authorization request is not valid</h1><p>${escapeHtml(description)}</p>`,
  );
}

/** The code shown to copy, for clients registered with the out-of-band redirect URI. */
export function codePage(code: string): string {
  return page(
    'Authorization code',
    `<h1>Authorization code</h1><p>Copy this code and paste it into the application.</p><code id="code">${escapeHtml(code)}</code>`,
  );
}
