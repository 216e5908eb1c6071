// A status's page (`/@name/:id`): the posts it answers above it, then its comments as a tree to any depth, each
// subtree collapsible and each comment answerable in place.
import { useState } from 'react';
import type { Status } from '../../endpoints';
import * as endpoints from '../../endpoints';
import { navigate } from '../../router';
import { Alert } from '../../ui';
import { Column } from './feed';
import { useLoad } from './paged';
import { StatusCard } from './status';

interface Thread {
  ancestors: Status[];
  status: Status;
  descendants: Status[];
}

/** Comments by the status they answer; one whose parent is gone hangs under the thread's root. */
function childrenOf(thread: Thread): Map<string, Status[]> {
  const ids = new Set([thread.status.id, ...thread.descendants.map((d) => d.id)]);
  const map = new Map<string, Status[]>();
  for (const d of thread.descendants) {
    const parent = d.in_reply_to_id && ids.has(d.in_reply_to_id) ? d.in_reply_to_id : thread.status.id;
    const list = map.get(parent) ?? [];
    list.push(d);
    map.set(parent, list);
  }
  return map;
}

function countUnder(id: string, kids: Map<string, Status[]>): number {
  let n = 0;
  const stack = [...(kids.get(id) ?? [])];
  while (stack.length) {
    const s = stack.pop()!;
    n++;
    stack.push(...(kids.get(s.id) ?? []));
  }
  return n;
}

export function StatusPage({ statusId }: { statusId: string }) {
  const loaded = useLoad(async (): Promise<Thread> => {
    const [status, context] = await Promise.all([
      endpoints.getStatus(statusId),
      endpoints.statusContext(statusId),
    ]);
    return { status, ...context };
  }, statusId);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const thread = loaded.data;

  if (!thread)
    return (
      <Column title="Post" back>
        {loaded.error ? (
          <p className="placeholder">This post does not exist or you cannot see it.</p>
        ) : (
          <p className="placeholder">Loading…</p>
        )}
      </Column>
    );

  const kids = childrenOf(thread);
  const replace = (s: Status) =>
    loaded.set({
      ancestors: thread.ancestors.map((x) => (x.id === s.id ? s : x)),
      status: thread.status.id === s.id ? s : thread.status,
      descendants: thread.descendants.map((x) => (x.id === s.id ? s : x)),
    });
  const remove = (id: string) => {
    if (id === thread.status.id) return navigate('/social', { replace: true });
    loaded.set({
      ...thread,
      ancestors: thread.ancestors.filter((x) => x.id !== id),
      descendants: thread.descendants.filter((x) => x.id !== id),
    });
  };
  const added = (reply: Status) => loaded.set({ ...thread, descendants: [...thread.descendants, reply] });
  const toggle = (id: string) =>
    setCollapsed((old) => {
      const next = new Set(old);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  const node = (s: Status, depth: number) => {
    const children = kids.get(s.id) ?? [];
    const closed = collapsed.has(s.id);
    const hidden = closed ? countUnder(s.id, kids) : 0;
    return (
      <li key={s.id} className={depth > 12 ? 'deep' : undefined}>
        <StatusCard
          inThread
          status={s}
          onChange={replace}
          onRemove={remove}
          onReplied={added}
          extra={
            children.length > 0 && (
              <button
                type="button"
                className="link collapse"
                aria-expanded={!closed}
                onClick={() => toggle(s.id)}
              >
                {closed ? `Show ${hidden} ${hidden === 1 ? 'reply' : 'replies'}` : 'Hide replies'}
              </button>
            )
          }
        />
        {children.length > 0 && !closed && (
          <ol className="replies">{children.map((c) => node(c, depth + 1))}</ol>
        )}
      </li>
    );
  };

  return (
    <Column title="Post" back>
      {thread.ancestors.length > 0 && (
        <ol className="ancestors" aria-label="Earlier in the thread">
          {thread.ancestors.map((a) => (
            <li key={a.id}>
              <StatusCard inThread status={a} onChange={replace} onRemove={remove} />
            </li>
          ))}
        </ol>
      )}
      <div className="focused">
        <StatusCard inThread status={thread.status} onChange={replace} onRemove={remove} onReplied={added} />
      </div>
      <Alert message={loaded.error} />
      <section aria-label="Comments">
        {(kids.get(thread.status.id) ?? []).length === 0 ? (
          <p className="placeholder">No comments yet.</p>
        ) : (
          <ol className="replies root">{(kids.get(thread.status.id) ?? []).map((c) => node(c, 1))}</ol>
        )}
      </section>
    </Column>
  );
}
