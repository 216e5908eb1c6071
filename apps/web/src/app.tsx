import { useEffect, useState } from 'react';
import { currentTokens, onTokens, type Tokens } from './api';
import { match, navigate, usePath } from './router';
import { AuthScreen, ResetScreen, VerifyScreen } from './screens/auth';
import { Chat } from './screens/chat/layout';
import { InviteScreen } from './screens/invite';
import { Settings } from './screens/settings';
import { startSession, stopSession } from './session';

/** Where a signed-out visitor goes back to after signing in. */
const returnKey = 'hearth.return';

export function App() {
  const path = usePath();
  const [tokens, setTokens] = useState<Tokens | null>(currentTokens);
  const signedIn = !!tokens;

  useEffect(() => onTokens(setTokens), []);
  // Another tab signing out (or in) shows here too.
  useEffect(() => {
    const onStorage = (e: StorageEvent) => e.key === 'hearth.tokens' && setTokens(currentTokens());
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);
  useEffect(() => {
    if (!signedIn) return;
    startSession().catch(() => {});
    return () => stopSession();
  }, [signedIn]);

  if (path === '/verify') return <VerifyScreen />;
  if (path === '/reset-password') return <ResetScreen />;

  const invite = match('/invite/:code', path);
  if (!signedIn) {
    if (path !== '/login' && path !== '/register' && path !== '/forgot') {
      if (invite) sessionStorage.setItem(returnKey, path);
      queueMicrotask(() => navigate('/login', { replace: true }));
      return null;
    }
    return <AuthScreen mode={path.slice(1) as 'login' | 'register' | 'forgot'} />;
  }
  if (path === '/' || path === '/login' || path === '/register' || path === '/forgot') {
    const back = sessionStorage.getItem(returnKey);
    sessionStorage.removeItem(returnKey);
    queueMicrotask(() => navigate(back ?? '/channels/@me', { replace: true }));
    return null;
  }
  if (invite) return <InviteScreen code={invite.code} />;
  if (path === '/settings' || path.startsWith('/settings/')) return <Settings section={path.split('/')[2]} />;
  return <Chat path={path} />;
}
