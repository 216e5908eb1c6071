import { lazy, Suspense, useEffect, useState } from 'react';
import { currentTokens, onTokens, type Tokens } from './api';
import { useUnreadInTab } from './notify';
import { match, navigate, usePath } from './router';
import { AuthScreen, ResetScreen, VerifyScreen } from './screens/auth';
import { AuthorizeScreen } from './screens/authorize';
import { Chat } from './screens/chat/layout';
import { GroupPreview } from './screens/group-preview';
import { GroupDirectory } from './screens/groups';
import { InviteScreen } from './screens/invite';
import { Settings } from './screens/settings';
import { startSession, stopSession } from './session';

// The social side is its own chunk: the chat app does not load it until it is opened.
const Social = lazy(() => import('./screens/social/layout'));

/** Where a signed-out visitor goes back to after signing in. */
const returnKey = 'hearth.return';

export function App() {
  const path = usePath();
  const [tokens, setTokens] = useState<Tokens | null>(currentTokens);
  const signedIn = !!tokens;
  useUnreadInTab();

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
      if (invite || path === '/groups' || path.startsWith('/groups/') || isSocialPath(path))
        sessionStorage.setItem(returnKey, path);
      if (path === '/oauth2/authorize') sessionStorage.setItem(returnKey, path + location.search);
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
  if (path === '/oauth2/authorize') return <AuthorizeScreen />;
  if (path === '/groups') return <GroupDirectory />;
  const previewed = match('/groups/:id', path);
  if (previewed) return <GroupPreview guildId={previewed.id} />;
  if (path === '/settings' || path.startsWith('/settings/')) return <Settings section={path.split('/')[2]} />;
  if (isSocialPath(path))
    return (
      <Suspense fallback={<p className="placeholder">Loading…</p>}>
        <Social path={path} />
      </Suspense>
    );
  return <Chat path={path} />;
}

/** The social side's addresses: its timelines and notifications, profiles (`/@name`) and statuses. */
const isSocialPath = (path: string) =>
  path === '/social' || path.startsWith('/social/') || path.startsWith('/@');
