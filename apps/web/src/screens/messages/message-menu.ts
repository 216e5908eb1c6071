// What a message's context menu offers, as the viewer may: react, reply, edit, thread, pin, mark unread, copy its
// text, link or id, delete.
import * as endpoints from '../../endpoints';
import type { Message } from '../../types';
import { copyText, type MenuItem } from '../menus/context-menu';

/** Where a message can be linked to: its channel's page with the message's id (Discord's message link). */
function messageLink(m: Message, guildId: string | undefined): string {
  return `${location.origin}/channels/${guildId ?? '@me'}/${m.channel_id}/${m.id}`;
}

export function messageMenuItems(
  m: Message,
  may: {
    guildId: string | undefined;
    mine: boolean;
    canManage: boolean;
    canPin: boolean;
    canReact: boolean;
    canThread: boolean;
  },
  act: { react: () => void; reply: () => void; edit: () => void; thread: () => void; remove: () => void },
): MenuItem[] {
  return [
    { label: 'Add Reaction', hidden: !may.canReact, onSelect: act.react },
    { label: 'Reply', onSelect: act.reply },
    { label: 'Edit Message', hidden: !may.mine, onSelect: act.edit },
    { label: 'Create Thread', hidden: !may.canThread, onSelect: act.thread },
    {
      label: m.pinned ? 'Unpin Message' : 'Pin Message',
      hidden: !may.canPin,
      onSelect: () => (m.pinned ? endpoints.unpin : endpoints.pin)(m.channel_id, m.id).catch(() => {}),
    },
    // Unread from this message on: the read position goes to just before it.
    {
      label: 'Mark Unread',
      onSelect: () => endpoints.markUnread(m.channel_id, (BigInt(m.id) - 1n).toString()).catch(() => {}),
    },
    'separator',
    { label: 'Copy Text', hidden: !m.content, onSelect: () => copyText(m.content) },
    { label: 'Copy Message Link', onSelect: () => copyText(messageLink(m, may.guildId)) },
    { label: 'Copy Message ID', onSelect: () => copyText(m.id) },
    { label: 'Delete Message', danger: true, hidden: !(may.mine || may.canManage), onSelect: act.remove },
  ];
}
