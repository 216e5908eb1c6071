// The permissions the role and overwrite editors offer, in Discord's words.
import type { Permission } from '../../permissions';

/** The permissions the role and overwrite editors offer, in Discord's words. */
export const editable: Array<[keyof typeof Permission, string]> = [
  ['VIEW_CHANNEL', 'View channel'],
  ['SEND_MESSAGES', 'Send messages'],
  ['READ_MESSAGE_HISTORY', 'Read message history'],
  ['ADD_REACTIONS', 'Add reactions'],
  ['ATTACH_FILES', 'Attach files'],
  ['MENTION_EVERYONE', 'Mention @everyone'],
  ['MANAGE_MESSAGES', 'Manage messages'],
  ['MANAGE_CHANNELS', 'Manage channels'],
  ['MANAGE_ROLES', 'Manage roles'],
  ['CREATE_INSTANT_INVITE', 'Create invite'],
  ['KICK_MEMBERS', 'Kick members'],
  ['BAN_MEMBERS', 'Ban members'],
  ['MANAGE_GUILD', 'Manage server'],
  ['VIEW_AUDIT_LOG', 'View audit log'],
  ['ADMINISTRATOR', 'Administrator'],
];
