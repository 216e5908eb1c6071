import {
  ErrorCode,
  Limits,
  type ModifyCurrentUser,
  type PrivateUser,
  type User,
  type UserSettings,
} from '@hearth/protocol';
import { and, eq, like } from 'drizzle-orm';
import { contentHash, decodeDataUri, ImageError, processImage } from '../../media/images';
import { isUniqueViolation } from '../../store/db';
import { credentials, mediaFiles, userSettings, users } from '../../store/schema';
import type { AuthService, Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { ApiError, invalidField, notFound } from '../errors';
import { toPrivateUser, toPublicUser } from './users.wire';

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

  async getUser(userId: string): Promise<User> {
    const [row] = await this.deps.db.select().from(users).where(eq(users.id, userId));
    if (!row) throw notFound(ErrorCode.UnknownUser, 'User');
    return toPublicUser(row);
  }

  /** Discord's PATCH /users/@me: profile fields, and email or password when the current password is given. */
  async modifyMe(principal: Principal, input: ModifyMeInput): Promise<PrivateUser> {
    const { db, events } = this.deps;
    const changes: Partial<typeof users.$inferInsert> = {};
    if (input.username !== undefined) changes.username = input.username;
    if (input.global_name !== undefined) changes.globalName = input.global_name;
    if (input.bio !== undefined) changes.bio = input.bio;
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
    if (wantsEmail) await this.auth.confirmPassword(principal.userId, input.password!);
    if (wantsPassword) await this.auth.changePassword(principal, input.password!, input.new_password!);

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
    events.publish('USER_UPDATE', `user:${principal.userId}`, me);
    return me;
  }

  /** Re-encodes an uploaded avatar or banner and returns its hash (null clears it). */
  private async storeImage(
    userId: string,
    kind: 'avatar' | 'banner',
    dataUri: string | null,
  ): Promise<string | null> {
    if (dataUri === null) return null;
    try {
      const decoded = decodeDataUri(dataUri, { maxBytes: Limits.imageUploadBytes });
      const image = await processImage(decoded.data, { ...IMAGE_SIZES[kind], fit: 'cover' });
      const hash = (image.animated ? 'a_' : '') + contentHash(image.data);
      const storageKey = `${kind}s/${userId}/${hash}.${image.ext}`;
      await this.deps.storage.put(storageKey, image.data, image.contentType);
      await this.deps.db
        .insert(mediaFiles)
        .values({
          storageKey,
          ownerId: userId,
          purpose: kind,
          contentType: image.contentType,
          size: image.data.length,
          width: image.width,
          height: image.height,
        })
        .onConflictDoNothing();
      return hash;
    } catch (err) {
      if (err instanceof ImageError) throw invalidField([kind], 'IMAGE_INVALID', imageErrorMessage(err));
      throw err;
    }
  }

  /** The stored file behind `/avatars/:user_id/:hash.ext` (or banners), whatever extension was asked for. */
  async imageFile(kind: 'avatar' | 'banner', userId: string, hash: string) {
    if (!/^(a_)?[0-9a-f]{32}$/.test(hash)) return null;
    const [file] = await this.deps.db
      .select({ storageKey: mediaFiles.storageKey })
      .from(mediaFiles)
      .where(
        and(
          eq(mediaFiles.ownerId, userId),
          eq(mediaFiles.purpose, kind),
          like(mediaFiles.storageKey, `${kind}s/${userId}/${hash}.%`),
        ),
      );
    return file ? this.deps.storage.get(file.storageKey) : null;
  }

  async getSettings(userId: string): Promise<UserSettings> {
    const [row] = await this.deps.db.select().from(userSettings).where(eq(userSettings.userId, userId));
    return { version: row?.version ?? 0, settings: row?.settings ?? {} };
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
    events.publish('USER_SETTINGS_UPDATE', `user:${userId}`, result.settings);
    return result.settings;
  }
}

function imageErrorMessage(err: ImageError): string {
  switch (err.code) {
    case 'too_large':
      return `Image must be at most ${Limits.imageUploadBytes / 1024 / 1024} MiB.`;
    case 'unsupported_type':
      return 'Image must be PNG, JPEG, GIF or WebP.';
    default:
      return 'Image could not be read.';
  }
}
