// /groups/:id: a public group read before joining (ADR 0031, Discord's "preview"): its description, its feed's posts
// and a post's comments, read-only, under a bar that joins it. A member is sent to the group itself; a group that
// cannot be previewed (approval-required, private, gone) says so and offers the directory.
import { useEffect, useState } from 'react';
import * as endpoints from '../endpoints';
import { navigate } from '../router';
import { useStore } from '../store';
import { type Channel, compareIds, type Message, plural } from '../types';
import { Alert, useAction } from '../ui';

const FORUM_TYPES = new Set([15, 16]);
const replies = (n: number) => (n === 1 ? '1 reply' : `${n.toLocaleString('en')} replies`);

interface Previewed {
  group: Awaited<ReturnType<typeof endpoints.getGuildPreview>>;
  forums: Channel[];
  posts: Channel[];
}

export function GroupPreview({ guildId }: { guildId: string }) {
  const member = useStore((s) => !!s.guilds[guildId]);
  const [data, setData] = useState<Previewed | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Channel | null>(null);
  const act = useAction();

  useEffect(() => {
    if (member) {
      navigate(`/channels/${guildId}`, { replace: true });
      return;
    }
    let live = true;
    Promise.all([
      endpoints.getGuildPreview(guildId),
      endpoints.getGuildChannels(guildId),
      endpoints.getActiveThreads(guildId),
    ])
      .then(([group, channels, active]) => {
        if (!live) return;
        const forums = channels.filter((c) => FORUM_TYPES.has(c.type));
        const feed = new Set(forums.map((f) => f.id));
        const posts = active.threads
          .filter((t) => t.parent_id && feed.has(t.parent_id))
          .sort((a, b) => compareIds(b.last_message_id ?? b.id, a.last_message_id ?? a.id));
        setData({ group, forums, posts });
      })
      .catch(() => live && setError('This group can’t be read without joining it.'));
    return () => {
      live = false;
    };
  }, [guildId, member]);

  const join = () =>
    act.run(async () => {
      await endpoints.joinGroup(guildId);
      navigate(`/channels/${guildId}`);
    });

  return (
    <main className="groups-directory group-preview">
      <header>
        <a
          href="/groups"
          onClick={(e) => {
            e.preventDefault();
            navigate('/groups');
          }}
        >
          ← Groups
        </a>
        <h1>{data?.group.name ?? 'Group'}</h1>
      </header>
      <Alert message={error ?? act.error} />
      {data && (
        <>
          <section className="join-bar" aria-label="Join this group">
            <p>You are previewing {data.group.name}. Join to post, comment and react.</p>
            <button type="button" className="primary" disabled={act.busy} onClick={join}>
              Join
            </button>
          </section>
          {data.group.banner && (
            <img className="group-banner" src={`/banners/${data.group.id}/${data.group.banner}.png`} alt="" />
          )}
          {data.group.description && <p>{data.group.description}</p>}
          <p className="muted">{plural(data.group.approximate_member_count, 'member')}</p>
          {open ? (
            <PreviewPost post={open} onBack={() => setOpen(null)} />
          ) : (
            <section aria-label="Posts">
              {data.posts.length === 0 ? (
                <p className="muted">No posts yet.</p>
              ) : (
                <ul className="post-list">
                  {data.posts.map((p) => (
                    <li key={p.id} className="post-card">
                      <button type="button" className="link post-title" onClick={() => setOpen(p)}>
                        {p.name}
                      </button>
                      <small className="muted">
                        {' '}
                        {data.forums.find((f) => f.id === p.parent_id)?.name} ·{' '}
                        {replies(p.message_count ?? 0)}
                      </small>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          )}
        </>
      )}
    </main>
  );
}

/** One post and its comments, oldest first, read-only. */
function PreviewPost({ post, onBack }: { post: Channel; onBack: () => void }) {
  const [messages, setMessages] = useState<Message[] | null>(null);
  useEffect(() => {
    let live = true;
    endpoints
      .getMessages(post.id, { limit: 50 })
      .then((list) => live && setMessages([...list].reverse()))
      .catch(() => live && setMessages([]));
    return () => {
      live = false;
    };
  }, [post.id]);
  return (
    <article className="preview-post" aria-label={post.name ?? 'Post'}>
      <button type="button" className="link" onClick={onBack}>
        ← All posts
      </button>
      <h2>{post.name}</h2>
      <ol className="preview-comments">
        {messages?.map((m) => (
          <li key={m.id}>
            <strong>{m.author.global_name ?? m.author.username}</strong>
            <p className="preview-content">{m.content}</p>
          </li>
        ))}
      </ol>
    </article>
  );
}
