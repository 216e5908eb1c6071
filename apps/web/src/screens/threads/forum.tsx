// A forum channel: its posts as cards (title, tags, replies, the start of the first message), filtered by tag,
// the pinned one first, then by latest activity or by creation (the forum's default, changeable); a "New post"
// form. A post opens as the thread it is.
import { useEffect, useState } from 'react';
import * as endpoints from '../../endpoints';
import { channelPermissions, has, Permission } from '../../permissions';
import { backTo, navigate } from '../../router';
import { useStore } from '../../store';
import { type Channel, compareIds, type ForumTag, type Guild, isPinnedPost, isThread } from '../../types';
import { Field, Form, useAction } from '../../ui';

export function ForumView({ guild, channel }: { guild: Guild; channel: Channel }) {
  const channels = useStore((s) => s.channels);
  const me = useStore((s) => s.me?.id ?? '');
  const member = useStore((s) => s.members[guild.id]?.[me]);
  const perms = channelPermissions(guild, channel, me, member);
  const canPost = has(perms, Permission.SEND_MESSAGES);
  const moderator = has(perms, Permission.MANAGE_THREADS);
  const [filter, setFilter] = useState<string | null>(null);
  const [byCreation, setByCreation] = useState(channel.default_sort_order === 1);
  const [composing, setComposing] = useState(false);
  const tags = channel.available_tags ?? [];
  const posts = Object.values(channels)
    .filter((c) => isThread(c) && c.parent_id === channel.id && !c.thread_metadata?.archived)
    .filter((c) => !filter || c.applied_tags?.includes(filter))
    .sort(
      (a, b) =>
        Number(isPinnedPost(b)) - Number(isPinnedPost(a)) ||
        (byCreation
          ? compareIds(b.id, a.id)
          : compareIds(b.last_message_id ?? b.id, a.last_message_id ?? a.id)),
    );
  const open = (post: Channel) => navigate(`/channels/${guild.id}/${post.id}`);
  return (
    <section className="conversation forum" aria-label={`Posts in ${channel.name}`}>
      <header className="conversation-head">
        <a
          href={`/channels/${guild.id}`}
          className="back icon"
          aria-label="Back to channels"
          onClick={(e) => {
            e.preventDefault();
            backTo(`/channels/${guild.id}`);
          }}
        >
          ‹
        </a>
        <h2>
          <span aria-hidden="true">☰</span> {channel.name}
        </h2>
        {channel.topic && <p className="topic">{channel.topic}</p>}
        <div className="actions">
          {canPost && (
            <button type="button" className="primary" onClick={() => setComposing((v) => !v)}>
              New post
            </button>
          )}
        </div>
      </header>
      <div className="scroll pad">
        {composing && (
          <NewPost
            forum={channel}
            tags={tags.filter((t) => moderator || !t.moderated)}
            onCreated={(post) => {
              setComposing(false);
              open(post);
            }}
          />
        )}
        {tags.length > 0 && (
          <fieldset className="tag-filter" aria-label="Filter by tag">
            <button type="button" aria-pressed={filter === null} onClick={() => setFilter(null)}>
              All
            </button>
            {tags.map((t) => (
              <button
                key={t.id}
                type="button"
                aria-pressed={filter === t.id}
                onClick={() => setFilter(filter === t.id ? null : t.id)}
              >
                <TagLabel tag={t} />
              </button>
            ))}
          </fieldset>
        )}
        <label className="sort-order">
          Sort by{' '}
          <select
            value={byCreation ? 'created' : 'activity'}
            onChange={(e) => setByCreation(e.target.value === 'created')}
          >
            <option value="activity">Latest activity</option>
            <option value="created">Creation date</option>
          </select>
        </label>
        {posts.length === 0 ? (
          <p className="muted">{filter ? 'No posts with this tag.' : 'No posts yet.'}</p>
        ) : (
          <ul className="post-list">
            {posts.map((p) => (
              <PostCard key={p.id} post={p} tags={tags} onOpen={() => open(p)} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

function TagLabel({ tag }: { tag: ForumTag }) {
  return (
    <>
      {tag.emoji_name && <span aria-hidden="true">{tag.emoji_name} </span>}
      {tag.name}
    </>
  );
}

function PostCard(props: { post: Channel; tags: ForumTag[]; onOpen: () => void }) {
  const { post } = props;
  const preview = useStarter(post.id);
  const applied = props.tags.filter((t) => post.applied_tags?.includes(t.id));
  return (
    <li className="post-card">
      <button type="button" className="link post-title" onClick={props.onOpen}>
        {isPinnedPost(post) && <span className="badge">Pinned</span>} {post.name}
      </button>
      {applied.length > 0 && (
        <ul className="tags" aria-label="Tags">
          {applied.map((t) => (
            <li key={t.id} className="tag">
              <TagLabel tag={t} />
            </li>
          ))}
        </ul>
      )}
      {preview && <p className="post-preview">{preview}</p>}
      <small className="muted">{replies(post.message_count ?? 0)}</small>
    </li>
  );
}

const replies = (n: number) => (n === 1 ? '1 reply' : `${n.toLocaleString('en')} replies`);

/** The start of a post's first message (its id is the post's): from the loaded history, else fetched once. */
const starters = new Map<string, string>();
function useStarter(postId: string): string | null {
  const loaded = useStore((s) => s.messages[postId]?.list.find((m) => m.id === postId)?.content);
  const [fetched, setFetched] = useState(() => starters.get(postId) ?? null);
  useEffect(() => {
    if (loaded !== undefined || starters.has(postId)) return;
    let live = true;
    endpoints
      .getMessage(postId, postId)
      .then((m) => {
        starters.set(postId, m.content);
        if (live) setFetched(m.content);
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [postId, loaded]);
  const text = loaded ?? fetched;
  return text ? (text.length > 200 ? `${text.slice(0, 200)}…` : text) : null;
}

/** A new post: its title, its tags (those the poster may set) and its first message. */
function NewPost(props: { forum: Channel; tags: ForumTag[]; onCreated: (post: Channel) => void }) {
  const [name, setName] = useState('');
  const [content, setContent] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const action = useAction();
  const toggle = (id: string) =>
    setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : c.length < 5 ? [...c, id] : c));
  return (
    <Form
      label="New post"
      className="new-post"
      error={action.error}
      onSubmit={() =>
        action.run(async () => {
          const post = await endpoints.createForumPost(props.forum.id, {
            name: name.trim(),
            applied_tags: chosen,
            message: { content },
          });
          starters.set(post.id, post.message.content);
          props.onCreated(post);
        })
      }
    >
      <Field
        label="Title"
        name="post-title"
        value={name}
        onChange={setName}
        required
        maxLength={100}
        error={action.fields.name}
      />
      <div className="field">
        <label htmlFor="f-post-content">Message</label>
        <textarea
          id="f-post-content"
          value={content}
          onChange={(e) => setContent(e.target.value)}
          required
          maxLength={2000}
          rows={4}
        />
      </div>
      {props.tags.length > 0 && (
        <fieldset className="tag-choice">
          <legend>Tags</legend>
          {props.tags.map((t) => (
            <label key={t.id}>
              <input type="checkbox" checked={chosen.includes(t.id)} onChange={() => toggle(t.id)} />{' '}
              <TagLabel tag={t} />
            </label>
          ))}
        </fieldset>
      )}
      <button type="submit" className="primary" disabled={action.busy}>
        Post
      </button>
    </Form>
  );
}
