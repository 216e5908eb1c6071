/**
 * Every kind of background job with its payload: the one catalog that `enqueue` and the handlers are typed by.
 * A payload is stored as JSON, so it holds plain data (ids as strings), never objects with behaviour.
 */
export interface JobPayloads {
  /** Archives threads idle past their auto_archive_duration (the recurring sweep, once a minute). */
  'threads.archive-inactive': Record<string, never>;
  /** Ends the temporary memberships of a user whose last gateway session is gone (if they are still gone). */
  'members.end-temporary': { userId: string };
  /** Removes social media uploads never attached to a status within a day (the recurring sweep, hourly). */
  'social.media-expire': Record<string, never>;
  /** Fetches and stores a remote status's attachment (ADR 0052); retried while its instance does not answer. */
  'social.remote-media-fetch': { userId: string; id: string };
  /** Fetches and stores a remote account's avatar or header, if `url` is still the one it names (ADR 0052). */
  'social.remote-profile-image-fetch': { userId: string; kind: 'avatar' | 'header'; url: string };
  /** Removes remote media files stored longer than REMOTE_MEDIA_CACHE_DAYS (the recurring sweep, hourly). */
  'social.remote-media-sweep': Record<string, never>;
  /**
   * Tells a poll's voters and author that it ended (at its expiry; once, whatever the runs). `expiresAt`: the end it
   * was queued for (an edit that moves the end queues another; jobs queued before it existed have none).
   */
  'social.poll-end': { userId: string; pollId: string; expiresAt?: string };
  /** An interaction's answer deadline passed: unanswered, it fails and its invoker is told (ADR 0039). */
  'interactions.deadline': { channelId: string; interactionId: string };
  /** Deletes interactions (and their ephemeral messages) whose 15-minute tokens ended (the sweep, once a minute). */
  'interactions.sweep': Record<string, never>;
  /** Ends voice states whose gateway session is gone everywhere (a process died; the sweep, once a minute). */
  'voice.sweep': Record<string, never>;
  /** A DM call's ring of `userId` (begun at `at`) ran out: it stops unless answered or rung again since. */
  'calls.ring-timeout': { channelId: string; userId: string; at: string };
  /** Fetches the previews of a message's links and adds them to its embeds (after it is written or edited). */
  'messages.unfurl': { channelId: string; messageId: string };
  /** Deletes cloud uploads never used by a message within their hour, files and all (the sweep, every 5 minutes). */
  'messages.cloud-uploads-sweep': Record<string, never>;
  /** Forgets link previews past their day in the cache (the recurring sweep, hourly). */
  'messages.link-previews-sweep': Record<string, never>;
  /**
   * Removes the next batch of a deleted account's content (ADR 0049); enqueues itself again while some remains, so a
   * huge account never holds one long transaction and a restart resumes where it stopped.
   */
  'accounts.delete': { userId: string };
  /**
   * Works through the next batch of rows of a CSV import (ADR 0051 addendum); enqueues itself again while rows remain,
   * so a large file never holds one long run and a restart resumes where it stopped.
   */
  'accounts.import': { userId: string; importId: string };
  /** Builds archive `archiveId` of an account's data into media storage and mails its owner (ADR 0051). */
  'accounts.archive': { userId: string; archiveId: string };
  /** Removes account archives past their expiry, files first (the recurring sweep, hourly). */
  'accounts.archives-sweep': Record<string, never>;
  /** Sends an activity for something a local account did towards remote ones (ADR 0040). */
  'federation.deliver': FederationDelivery;
  /** One of Fedify's queued tasks (fan-out, outbox delivery, inbox processing), as Fedify serialised it. */
  'federation.task': { message: unknown };
  /** Deletes Fedify's expired cache entries (the recurring sweep, hourly). */
  'federation.kv-sweep': Record<string, never>;
}

/** What the domain asks the federation area to send (ADR 0040): ids only, the handler reads the rest. */
export type FederationDelivery =
  /** `userId` follows (or asks to follow) remote `targetId`; `undo-follow` takes it back. */
  | { type: 'follow' | 'undo-follow'; userId: string; targetId: string; followId: string }
  /** `userId` accepted or rejected remote `followerId`'s follow request. */
  | { type: 'accept' | 'reject'; userId: string; followerId: string; followUri: string | null }
  /** `userId` posted status `postId` (public or unlisted) and has remote followers. */
  | { type: 'create'; userId: string; postId: string }
  /** `userId` edited status `postId` (Update). */
  | { type: 'update'; userId: string; postId: string }
  /**
   * `userId` deleted status `postId` (Delete: the row is gone, its IRI is enough); `to` is its remote audience besides
   * followers (mentioned accounts, the answered author), `direct` whether followers never had it.
   */
  | { type: 'delete'; userId: string; postId: string; to?: string[]; direct?: boolean }
  /** `userId` boosted (or stopped boosting) status `originalId` of `originalUserId`; `boostId` names the boost. */
  | {
      type: 'announce' | 'undo-announce';
      userId: string;
      boostId: string;
      originalUserId: string;
      originalId: string;
    }
  /** `userId` reacted (or stopped) with Unicode `emoji` to remote `authorId`'s status `postId` (EmojiReact). */
  | { type: 'react' | 'undo-react'; userId: string; authorId: string; postId: string; emoji: string }
  /**
   * `userId` deleted their account (Delete of their Person); `to` are its remote followers and the remote accounts it
   * followed, read when it was deleted (`accounts.delete` ends those follows before this may run).
   */
  | { type: 'delete-person'; userId: string; to: string[] }
  /** Report `reportId` of a remote account is forwarded to its instance (Flag, from the instance actor). */
  | { type: 'flag'; reportId: string }
  /** `userId` moved to account `targetId`, local or remote (Move, to its remote followers; ADR 0050). */
  | { type: 'move'; userId: string; targetId: string }
  /** `userId` changed their profile (Update of their Person). */
  | { type: 'update-person'; userId: string }
  /** `userId` blocked (or unblocked) remote `targetId` (Block, and its Undo). */
  | { type: 'block' | 'undo-block'; userId: string; targetId: string }
  /**
   * `userId` favourited (or stopped) remote `authorId`'s status `postId`; `likeKey` names that favourite (its time in
   * microseconds), so a Like made again after an Undo has an id of its own and the Undo names the Like it takes back.
   * Jobs enqueued before it existed have none.
   */
  | { type: 'like' | 'undo-like'; userId: string; authorId: string; postId: string; likeKey?: string }
  /**
   * Group `guildId`'s moderators approved or rejected remote `followerId`'s request to join, or removed them (kicked or
   * banned): the Group's Accept or Reject of their Follow.
   */
  | { type: 'group-accept' | 'group-reject'; guildId: string; followerId: string }
  /**
   * Group `guildId` Announces the Create, Update or Delete of its local post `threadId` by `authorId` (FEP-1b12); a
   * post that came from a remote status is announced by the inbox that accepted it.
   */
  | {
      type: 'group-create' | 'group-update' | 'group-delete';
      guildId: string;
      threadId: string;
      authorId: string;
      /** A Delete by a moderator (the group's own), not by the author. */
      moderated?: boolean;
      /** A deleted post that came from a remote status: that status's IRI (the Delete's object). */
      sourceUri?: string | null;
    }
  /**
   * Group `guildId` Announces local `authorId`'s Create (or Update, when edited) of comment `messageId` on its post
   * `threadId` (FEP-1b12).
   */
  | GroupComment<'group-comment'>
  | GroupComment<'group-comment-update'>
  /** Group `guildId` Announces the Delete of comment `messageId` by its author, or by the group (`moderated`). */
  | {
      type: 'group-comment-delete';
      guildId: string;
      threadId: string;
      messageId: string;
      authorId: string;
      moderated: boolean;
    }
  /**
   * Group `guildId` Announces local `userId`'s reaction `emoji` to message `messageId` of its post `threadId` (a Like
   * for the post's favourite reaction, else an EmojiReact), or (`on` false) its Undo.
   */
  | {
      type: 'group-react';
      guildId: string;
      threadId: string;
      messageId: string;
      userId: string;
      emoji: string;
      on: boolean;
    };

/** A group's Announce of a local member's comment (`group-comment`) or of its edit (`group-comment-update`). */
interface GroupComment<T extends 'group-comment' | 'group-comment-update'> {
  type: T;
  guildId: string;
  threadId: string;
  messageId: string;
  authorId: string;
}
