import { Limits, type PrivateUser, type User, type UserSettings } from '@hearth/protocol';
import { type credentials, type userSettings, users } from '../../store/schema';

type UserRow = typeof users.$inferSelect;
type CredentialRow = typeof credentials.$inferSelect;

/** The columns a public user object is built from. */
export const publicUserColumns = {
  id: users.id,
  username: users.username,
  globalName: users.globalName,
  avatar: users.avatar,
  banner: users.banner,
  accentColor: users.accentColor,
  bio: users.bio,
  bot: users.bot,
  system: users.system,
  flags: users.flags,
  status: users.status,
};
export type PublicUserRow = Pick<UserRow, keyof typeof publicUserColumns>;

/** Discord's public user object: nothing private (no email, no settings). A deleted account is Discord's "Deleted User". */
export function toPublicUser(u: PublicUserRow): User {
  if (u.status === 'deleted') return deletedUser(u.id);
  return {
    id: u.id,
    username: u.username,
    discriminator: '0',
    global_name: u.globalName,
    avatar: u.avatar,
    banner: u.banner,
    accent_color: u.accentColor,
    bio: u.bio,
    bot: u.bot,
    system: u.system,
    public_flags: u.flags,
    flags: u.flags,
    avatar_decoration_data: null,
  };
}

/** The caller's own user object. */
export function toPrivateUser(u: UserRow, cred: CredentialRow | null): PrivateUser {
  return {
    ...toPublicUser(u),
    email: cred?.email ?? null,
    // Bots count as verified, as on Discord.
    verified: cred ? cred.emailVerified : u.bot,
    mfa_enabled: false,
    locale: u.locale,
    premium_type: 0,
    pronouns: u.pronouns,
    upload_limit: Math.min(u.uploadLimit, Limits.maxUploadBytes),
  };
}

/** A user's settings document and its version (none stored yet: version 0, empty). */
export function toUserSettings(row: typeof userSettings.$inferSelect | null | undefined): UserSettings {
  return { version: row?.version ?? 0, settings: row?.settings ?? {} };
}

/** What Discord shows for an account that was deleted (or whose row is gone): its id, and nothing of who it was. */
export function deletedUser(id: string): User {
  return {
    id,
    username: 'deleted_user',
    discriminator: '0',
    global_name: 'Deleted User',
    avatar: null,
    banner: null,
    accent_color: null,
    bio: '',
    bot: false,
    system: false,
    public_flags: 0,
    flags: 0,
    avatar_decoration_data: null,
  };
}
