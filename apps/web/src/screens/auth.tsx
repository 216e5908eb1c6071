// Signing in and up, forgotten passwords, and the two mailed links (/verify and /reset-password).
// Mailed tokens travel in the URL fragment, which never reaches the server's logs.
import { useEffect, useState } from 'react';
import { signedIn } from '../api';
import * as endpoints from '../endpoints';
import { navigate } from '../router';
import { type Invite, plural } from '../types';
import { Field, Form, useAction } from '../ui';

/**
 * Names the server a signed-out visitor was invited to (the app sent them here from /invite/:code and
 * returns them there after signing in); the invite preview needs no account.
 */
function InvitedTo() {
  const [invite, setInvite] = useState<Invite | null>(null);
  const code = /^\/invite\/([\w-]+)$/.exec(sessionStorage.getItem('hearth.return') ?? '')?.[1];
  useEffect(() => {
    if (!code) return;
    endpoints.getInvite(code).then(setInvite, () => {});
  }, [code]);
  if (!invite?.guild) return null;
  return (
    <p className="invited" role="status">
      You have been invited to join <strong>{invite.guild.name}</strong>
      {invite.approximate_member_count ? ` (${plural(invite.approximate_member_count, 'member')})` : ''}. Sign
      in or create an account to accept.
    </p>
  );
}

function Card({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="auth">
      <div className="card">
        <p className="brand" aria-hidden="true">
          Hearth
        </p>
        <h1>{title}</h1>
        <InvitedTo />
        {children}
      </div>
    </main>
  );
}

const link = (to: string) => (e: React.MouseEvent) => {
  e.preventDefault();
  navigate(to);
};

export function AuthScreen({ mode }: { mode: 'login' | 'register' | 'forgot' }) {
  const [login, setLogin] = useState('');
  const [email, setEmail] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [sent, setSent] = useState(false);
  const { busy, error, fields, run } = useAction();

  if (mode === 'forgot')
    return (
      <Card title="Forgot your password?">
        {sent ? (
          <p role="status">
            If an account matches, a link to choose a new password is on its way. It works for one hour.
          </p>
        ) : (
          <Form
            label="Forgot password"
            error={error}
            onSubmit={() =>
              run(async () => {
                await endpoints.forgotPassword({ login });
                setSent(true);
              })
            }
          >
            <Field
              label="Email or username"
              name="login"
              value={login}
              onChange={setLogin}
              required
              autoFocus
              error={fields.login}
            />
            <button type="submit" className="primary" disabled={busy}>
              Send reset link
            </button>
          </Form>
        )}
        <p>
          <a href="/login" onClick={link('/login')}>
            Back to sign in
          </a>
        </p>
      </Card>
    );

  if (mode === 'register')
    return (
      <Card title="Create an account">
        <Form
          label="Register"
          error={error}
          onSubmit={() => run(async () => signedIn(await endpoints.register({ email, username, password })))}
        >
          <Field
            label="Email"
            name="email"
            type="email"
            value={email}
            onChange={setEmail}
            autoComplete="email"
            required
            autoFocus
            error={fields.email}
          />
          <Field
            label="Username"
            name="username"
            value={username}
            onChange={setUsername}
            autoComplete="username"
            required
            error={fields.username}
            hint="2–32 characters: letters, digits, _ and ."
          />
          <Field
            label="Password"
            name="password"
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="new-password"
            required
            minLength={8}
            error={fields.password}
            hint="At least 8 characters"
          />
          <button type="submit" className="primary" disabled={busy}>
            Create account
          </button>
        </Form>
        <p>
          Have an account?{' '}
          <a href="/login" onClick={link('/login')}>
            Sign in
          </a>
        </p>
      </Card>
    );

  return (
    <Card title="Welcome back">
      <Form
        label="Sign in"
        error={error}
        onSubmit={() => run(async () => signedIn(await endpoints.login({ login, password })))}
      >
        <Field
          label="Email or username"
          name="login"
          value={login}
          onChange={setLogin}
          autoComplete="username"
          required
          autoFocus
          error={fields.login}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          required
          error={fields.password}
        />
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </Form>
      <p>
        <a href="/forgot" onClick={link('/forgot')}>
          Forgot your password?
        </a>
      </p>
      <p>
        Need an account?{' '}
        <a href="/register" onClick={link('/register')}>
          Register
        </a>
      </p>
    </Card>
  );
}

const fragmentToken = () => new URLSearchParams(location.hash.slice(1)).get('token');

export function VerifyScreen() {
  const [state, setState] = useState<'working' | 'done' | 'failed'>('working');
  const [message, setMessage] = useState('');
  useEffect(() => {
    const token = fragmentToken();
    if (!token) {
      setState('failed');
      setMessage('This link is missing its token. Open the link from the email again.');
      return;
    }
    endpoints.verifyEmail(token).then(
      () => setState('done'),
      (err) => {
        setState('failed');
        setMessage((Object.values(err.fields ?? {})[0] as string) || err.message);
      },
    );
  }, []);
  return (
    <Card title="Confirm your email">
      <p role="status">
        {state === 'working' && 'Confirming…'}
        {state === 'done' && 'Your email is confirmed.'}
        {state === 'failed' && message}
      </p>
      <p>
        <a href="/" onClick={link('/')}>
          Open Hearth
        </a>
      </p>
    </Card>
  );
}

export function ResetScreen() {
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, fields, run } = useAction();
  const token = fragmentToken();
  return (
    <Card title="Choose a new password">
      {done ? (
        <p role="status">Your password is changed and every session was signed out. You can sign in again.</p>
      ) : !token ? (
        <p role="alert">This link is missing its token. Open the link from the email again.</p>
      ) : (
        <Form
          label="Reset password"
          error={error ?? fields.token}
          onSubmit={() =>
            run(async () => {
              await endpoints.resetPassword({ token, password });
              setDone(true);
            })
          }
        >
          <Field
            label="New password"
            name="password"
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="new-password"
            required
            minLength={8}
            maxLength={128}
            autoFocus
            error={fields.password}
            hint="8 to 128 characters"
          />
          <button type="submit" className="primary" disabled={busy}>
            Set password
          </button>
        </Form>
      )}
      <p>
        <a href="/login" onClick={link('/login')}>
          Sign in
        </a>
      </p>
    </Card>
  );
}
