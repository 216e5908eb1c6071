// Minimal pages served until the web app ships: the landing page and the two mail-link pages.
// Each is static HTML; scripts read the token from the URL fragment (never sent to the server or its logs).

const style = `body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#222}
label{display:block;margin:.5rem 0}input,button{font:inherit;padding:.4rem .6rem}#out{margin-top:1rem}`;

function page(title: string, body: string, script = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${style}</style></head><body>${body}${script ? `<script>${script}</script>` : ''}</body></html>`;
}

export const landingPage = page(
  'Hearth',
  `<h1>Hearth is running</h1><p>The REST API is at <code>/api/v10</code>. Read the <a href="/api/docs">API documentation</a>.</p>
<p>Health: <a href="/health">/health</a> · Metrics: <a href="/metrics">/metrics</a></p>`,
);

const tokenScript = (path: string, body: string, done: string) => `
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const out = document.getElementById('out');
async function submit(extra) {
  const res = await fetch('/api/v10/auth/${path}', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify(Object.assign({ token }, extra)) });
  if (res.status === 204) { out.textContent = ${JSON.stringify(done)}; return; }
  const err = await res.json().catch(() => ({}));
  const field = err.errors && Object.values(err.errors)[0];
  out.textContent = (field && field._errors && field._errors[0].message) || err.message || 'Something went wrong.';
}
${body}`;

export const verifyPage = page(
  'Confirm your email · Hearth',
  `<h1>Confirm your email</h1><p id="out">Confirming…</p>`,
  tokenScript(
    'verify',
    'if (!token) out.textContent = "This link is missing its token."; else submit({});',
    'Your email is confirmed. You can close this page.',
  ),
);

export const resetPage = page(
  'Reset your password · Hearth',
  `<h1>Choose a new password</h1><form id="f"><label>New password (8 to 128 characters)
<input id="pw" type="password" minlength="8" maxlength="128" required autocomplete="new-password"></label>
<button>Set password</button></form><p id="out" role="status"></p>`,
  tokenScript(
    'reset',
    `document.getElementById('f').addEventListener('submit', (e) => { e.preventDefault(); submit({ password: document.getElementById('pw').value }); });`,
    'Your password is changed and every session was signed out. You can log in again.',
  ),
);
