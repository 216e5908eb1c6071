import assert from 'node:assert/strict';
import { createGuild, type TestGuild } from './guild-helpers';
import type { TestServer, TestUser } from './harness';

// Groups as Mastodon accounts (ADR 0031), as the scenario tests make them.

let handles = 0;

/** A guild made a group with a handle and a forum feed. */
export async function createGroup(h: TestServer, mode: 'public' | 'approval' | 'private', owner?: TestUser) {
  const g = await createGuild(h, owner, `The ${mode} group`);
  const handle = `${mode}_group_${++handles}_${g.id.slice(-6)}`;
  const res = await h.api('PATCH', `/guilds/${g.id}`, {
    token: g.owner.token,
    body: {
      description: `A ${mode} group`,
      features: mode === 'private' ? [] : ['COMMUNITY', 'DISCOVERABLE'],
      hearth_group: { join_mode: mode, handle },
    },
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.hearth_group.handle, handle);
  const forum = await h.api('POST', `/guilds/${g.id}/channels`, {
    token: g.owner.token,
    body: { name: 'feed', type: 15 },
  });
  assert.equal(forum.status, 201, forum.text);
  return { g, handle, forumId: forum.body.id as string };
}

/** Starts a forum post (Discord's route); answers its id, the thread's. */
export async function createForumPost(
  h: TestServer,
  g: TestGuild,
  forumId: string,
  author: TestUser,
  name: string,
  content: string,
) {
  const res = await h.api('POST', `/channels/${forumId}/threads`, {
    token: author.token,
    body: { name, message: { content } },
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.guild_id, g.id);
  return res.body.id as string;
}
