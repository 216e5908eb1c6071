import assert from 'node:assert/strict';
import type { TestServer, TestUser } from './harness';

export interface TestGuild {
  id: string;
  owner: TestUser;
  /** #general */
  textChannelId: string;
  voiceChannelId: string;
  textCategoryId: string;
}

export async function createGuild(h: TestServer, owner?: TestUser, name = 'Test Guild'): Promise<TestGuild> {
  const user = owner ?? (await h.register());
  const res = await h.api('POST', '/guilds', { token: user.token, body: { name } });
  assert.equal(res.status, 201, res.text);
  const channels = await h.api('GET', `/guilds/${res.body.id}/channels`, { token: user.token });
  const text = channels.body.find((c: any) => c.type === 0);
  const voice = channels.body.find((c: any) => c.type === 2);
  return {
    id: res.body.id,
    owner: user,
    textChannelId: text.id,
    voiceChannelId: voice.id,
    textCategoryId: text.parent_id,
  };
}

/** Joins `user` to the guild through a fresh invite made by the owner. */
export async function join(h: TestServer, guild: TestGuild, user?: TestUser): Promise<TestUser> {
  const member = user ?? (await h.register());
  const invite = await h.api('POST', `/channels/${guild.textChannelId}/invites`, {
    token: guild.owner.token,
    body: {},
  });
  assert.equal(invite.status, 200, invite.text);
  const res = await h.api('POST', `/invites/${invite.body.code}`, { token: member.token });
  assert.equal(res.status, 200, res.text);
  return member;
}

/** Gives `user` a new role holding `permissions`; returns the role id. */
export async function grant(
  h: TestServer,
  guild: TestGuild,
  user: TestUser,
  permissions: bigint,
  name = 'granted',
): Promise<string> {
  const role = await h.api('POST', `/guilds/${guild.id}/roles`, {
    token: guild.owner.token,
    body: { name, permissions: permissions.toString() },
  });
  assert.equal(role.status, 200, role.text);
  const put = await h.api('PUT', `/guilds/${guild.id}/members/${user.id}/roles/${role.body.id}`, {
    token: guild.owner.token,
  });
  assert.equal(put.status, 204, put.text);
  return role.body.id;
}

/** `user` posts `content` in the channel; returns the message. */
export async function say(h: TestServer, user: TestUser, channelId: string, content: string): Promise<any> {
  const res = await h.api('POST', `/channels/${channelId}/messages`, {
    token: user.token,
    body: { content },
  });
  assert.equal(res.status, 200, res.text);
  return res.body;
}
