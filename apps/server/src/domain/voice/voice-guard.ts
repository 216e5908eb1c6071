import { type HearthEvent, invalidates } from '@hearth/protocol';
import type { Logger } from 'pino';
import type { VoiceService } from './voice.service';

/**
 * An observer of this process's published events (EventPublisher's observers: once per event, on the process that
 * made the change, not once per process): after an event that can change permissions in a guild, its voice states
 * are rechecked, and members who lost CONNECT are disconnected (ADR 0034). Several such events of one guild in one
 * turn of the event loop cost one recheck.
 */
export function voiceRechecks(voice: Pick<VoiceService, 'recheck'>, log: Logger): (e: HearthEvent) => void {
  const due = new Set<string>();
  return (e) => {
    if (!invalidates(e.t, 'permissions') || !e.topic.startsWith('guild:')) return;
    const guildId = e.topic.slice('guild:'.length);
    if (due.has(guildId)) return;
    due.add(guildId);
    setImmediate(() => {
      due.delete(guildId);
      voice.recheck(guildId).catch((err) => log.warn({ err, guildId }, 'voice recheck failed'));
    });
  };
}
