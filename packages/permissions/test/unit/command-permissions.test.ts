import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CommandOverwrite, type CommandUseInput, canUseCommand, Permission as P } from '../../src/index';

const GUILD = '1000';
const ALL_CHANNELS = '999';
const ME = '7';
const ROLE = '50';
const OTHER_ROLE = '51';
const CHANNEL = '300';

const role = (id: string, permission: boolean): CommandOverwrite => ({ id, type: 1, permission });
const user = (id: string, permission: boolean): CommandOverwrite => ({ id, type: 2, permission });
const channel = (id: string, permission: boolean): CommandOverwrite => ({ id, type: 3, permission });

function may(over: Partial<CommandUseInput> = {}): boolean {
  return canUseCommand({
    guildId: GUILD,
    userId: ME,
    roleIds: [ROLE],
    permissions: P.SEND_MESSAGES | P.USE_APPLICATION_COMMANDS,
    channelId: CHANNEL,
    defaultMemberPermissions: null,
    command: [],
    app: [],
    ...over,
  });
}

describe('who may use an application command', () => {
  test('default_member_permissions: none lets everyone, a set needs all of it, 0 only administrators', () => {
    assert.equal(may(), true);
    assert.equal(may({ defaultMemberPermissions: P.BAN_MEMBERS }), false);
    assert.equal(may({ defaultMemberPermissions: P.SEND_MESSAGES }), true);
    assert.equal(may({ defaultMemberPermissions: 0n }), false);
    assert.equal(may({ defaultMemberPermissions: 0n, permissions: P.ADMINISTRATOR }), true);
  });

  test("the command's own user, role or @everyone overwrite decides, over default_member_permissions", () => {
    assert.equal(may({ defaultMemberPermissions: 0n, command: [user(ME, true)] }), true);
    assert.equal(may({ command: [user(ME, false), role(ROLE, true)] }), false, 'the user overwrite first');
    assert.equal(may({ command: [role(ROLE, false)] }), false);
    assert.equal(
      may({ roleIds: [ROLE, OTHER_ROLE], command: [role(ROLE, false), role(OTHER_ROLE, true)] }),
      true,
    );
    assert.equal(may({ command: [role(GUILD, false)] }), false, '@everyone');
    assert.equal(may({ command: [role(GUILD, false), role(ROLE, true)] }), true, 'a role over @everyone');
    assert.equal(may({ command: [role('77', false)] }), true, "another role's overwrite does not apply");
  });

  test("the application's overwrites deny, and otherwise leave default_member_permissions to decide", () => {
    assert.equal(may({ app: [user(ME, false)] }), false);
    assert.equal(may({ app: [user(ME, false)], command: [user(ME, true)] }), true, 'the command overrides');
    assert.equal(may({ app: [role(GUILD, true)], defaultMemberPermissions: P.BAN_MEMBERS }), false);
  });

  test('channels: this one, else all channels; the command first, then the application', () => {
    assert.equal(may({ command: [channel(CHANNEL, false)] }), false);
    assert.equal(may({ command: [channel(ALL_CHANNELS, false)] }), false);
    assert.equal(may({ command: [channel(ALL_CHANNELS, false), channel(CHANNEL, true)] }), true);
    assert.equal(may({ app: [channel(CHANNEL, false)], command: [channel(ALL_CHANNELS, true)] }), true);
    assert.equal(may({ app: [channel(ALL_CHANNELS, false)] }), false);
    assert.equal(
      may({ app: [channel(ALL_CHANNELS, false)], channelId: null }),
      true,
      'no channel: not checked',
    );
    assert.equal(may({ command: [channel(CHANNEL, false)], permissions: P.ADMINISTRATOR }), true);
  });
});
