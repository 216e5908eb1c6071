import {
  ErrorCode,
  Limits,
  type ModifyCurrentUser,
  type PrivateUser,
  type User,
  type UserProfile,
  type UserProfileQuery,
  type UserSettings,
} from '@hearth/protocol';
import { eq } from 'drizzle-orm';
import { Topic } from '../../events/publisher';
import { isUniqueViolation } from '../../store/db';
import { credentials, userSettings, users } from '../../store/schema';
import type { AuthService, Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, notFound } from '../errors';
import type { MembersService } from '../guilds/members.service';
import { storeImage } from '../images';
import { readUserProfile } from './user-profile';
import { toPrivateUser, toPublicUser, toUserSettings } from './users.wire';

export interface ModifyMeInput extends ModifyCurrentUser {
  email?: string;
  password?: string;
  new_password?: string;
}

const IMAGE_SIZES = { avatar: { width: 1024, height: 1024 }, banner: { width: 1680, height: 672 } } as const;

export class UsersService {
  constructor(
    private readonly deps: Deps,
    private readonly auth: AuthService,
    private readonly members: MembersService,
  ) {}

  async getMe(userId: string): Promise<PrivateUser> {
    const [row] = await this.deps.db
      .select()
      .from(users)
      .leftJoin(credentials, eq(credentials.userId, users.id))
      .where(eq(users.id, userId));
    if (!row) throw notFound(ErrorCode.UnknownUser, 'User');
    return toPrivateUser(row.users, row.credentials);
  }

  /** Discord's GET /users/:id/profile (user-profile.ts decides who may read it). */
  getProfile(callerId: string, userId: string, query: UserProfileQuery): Promise<UserProfile> {
    return readUserProfile(this.deps.db, callerId, userId, query);
  }

  async getUser(userId: string): Promise<User> {
    const [row] = await this.deps.db.select().from(users).where(eq(users.id, userId));
    if (!row) throw notFound(ErrorCode.UnknownUser, 'User');
    return toPublicUser(row);
  }

  /** Discord's PATCH /users/@me: profile fields, and email or password when the current password is given. */
  async modifyMe(
    principal: Principal,
    input: ModifyMeInput,
    meta: { ip: string | null },
  ): Promise<PrivateUser> {
    const { db, events } = this.deps;
    const changes: Partial<typeof users.$inferInsert> = {};
    if (input.username !== undefined) changes.username = input.username;
    if (input.global_name !== undefined) changes.globalName = input.global_name;
    if (input.bio !== undefined) changes.bio = input.bio;
    if (input.pronouns !== undefined) changes.pronouns = input.pronouns.trim();
    if (input.accent_color !== undefined) changes.accentColor = input.accent_color;
    if (input.avatar !== undefined)
      changes.avatar = await this.storeImage(principal.userId, 'avatar', input.avatar);
    if (input.banner !== undefined)
      changes.banner = await this.storeImage(principal.userId, 'banner', input.banner);

    const wantsEmail = input.email !== undefined;
    const wantsPassword = input.new_password !== undefined;
    if ((wantsEmail || wantsPassword) && principal.bot)
      throw new ApiError(403, ErrorCode.InvalidAccountType, 'Bots have no email or password');
    if ((wantsEmail || wantsPassword) && !input.password)
      throw invalidField(
        ['password'],
        'PASSWORD_REQUIRED',
        'Your current password is required for this change.',
      );
    // One check of the current password per request: changePassword makes it before it writes anything.
    if (wantsPassword)
      await this.auth.changePassword(principal, input.password!, input.new_password!, meta.ip);
    else if (wantsEmail) await this.auth.confirmPassword(principal.userId, input.password!, meta.ip);

    // What other members see of the user: a change to it reaches every guild they are in (below).
    const [before] =
      changes.username !== undefined || changes.globalName !== undefined || changes.avatar !== undefined
        ? await db
            .select({ username: users.username, globalName: users.globalName, avatar: users.avatar })
            .from(users)
            .where(eq(users.id, principal.userId))
        : [];
    try {
      await db.transaction(async (tx) => {
        if (Object.keys(changes).length) {
          await tx
            .update(users)
            .set({ ...changes, updatedAt: new Date() })
            .where(eq(users.id, principal.userId));
        }
        if (wantsEmail) {
          await tx
            .update(credentials)
            .set({ email: input.email!.trim(), emailVerified: false })
            .where(eq(credentials.userId, principal.userId));
        }
      });
    } catch (err) {
      if (isUniqueViolation(err, 'users_username_key'))
        throw invalidField(['username'], 'USERNAME_ALREADY_TAKEN', 'Username is unavailable.');
      if (isUniqueViolation(err, 'credentials_email_key'))
        throw invalidField(['email'], 'EMAIL_ALREADY_REGISTERED', 'Email is already registered.');
      throw err;
    }
    if (wantsEmail) await this.auth.resendVerification(principal);
    const me = await this.getMe(principal.userId);
    events.publish('USER_UPDATE', Topic.user(principal.userId), me);
    if (
      before &&
      (before.username !== me.username || before.globalName !== me.global_name || before.avatar !== me.avatar)
    )
      await this.members.userChanged(principal.userId);
    return me;
  }

  private storeImage(
    userId: string,
    kind: 'avatar' | 'banner',
    dataUri: string | null,
  ): Promise<string | null> {
    return storeImage(
      this.deps,
      { purpose: kind, folder: `${kind}s/${userId}`, ownerId: userId, field: kind, ...IMAGE_SIZES[kind] },
      dataUri,
    );
  }

  async getSettings(userId: string): Promise<UserSettings> {
    const [row] = await this.deps.db.select().from(userSettings).where(eq(userSettings.userId, userId));
    return toUserSettings(row);
  }

  /**
   * Merges `settings` into the user's document (null deletes a key) if `version` is the current one;
   * a stale version gets 409 and changes nothing.
   */
  async patchSettings(
    userId: string,
    version: number,
    patch: Record<string, unknown>,
  ): Promise<UserSettings> {
    const { db, events } = this.deps;
    const result = await db.transaction(async (tx) => {
      await tx.insert(userSettings).values({ userId }).onConflictDoNothing();
      const [row] = await tx.select().from(userSettings).where(eq(userSettings.userId, userId)).for('update');
      if (row.version !== version) return { conflict: row.version };
      const next: Record<string, unknown> = { ...row.settings };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete next[k];
        else next[k] = v;
      }
      if (Buffer.byteLength(JSON.stringify(next)) > Limits.settingsBytes) return { tooLarge: true as const };
      const [updated] = await tx
        .update(userSettings)
        .set({ settings: next, version: row.version + 1, updatedAt: new Date() })
        .where(eq(userSettings.userId, userId))
        .returning();
      return { settings: { version: updated.version, settings: updated.settings } };
    });
    if ('conflict' in result)
      throw new ApiError(
        409,
        ErrorCode.Conflict,
        `Settings changed since version ${version}; current version is ${result.conflict}`,
      );
    if ('tooLarge' in result)
      throw invalidField(
        ['settings'],
        'BASE_TYPE_MAX_LENGTH',
        `Settings must be at most ${Limits.settingsBytes} bytes.`,
      );
    events.publish('USER_SETTINGS_UPDATE', Topic.user(userId), result.settings);
    return result.settings;
  }
}
