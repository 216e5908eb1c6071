import { Permission } from '@hearth/permissions';
import type { Emoji, Integration, Member, Sticker } from '@hearth/protocol';
import { eq } from 'drizzle-orm';
import { applications, guilds, members, users } from '../../store/schema';
import type { Principal } from '../auth/auth.service';
import type { Deps } from '../deps';
import { toPublicUser } from '../users/users.wire';
import type { EmojisService } from './emojis.service';
import { loadGuildActor } from './guild-access';
import type { GuildsService } from './guilds.service';
import type { MembersService } from './members.service';
import { guildStickers } from './stickers.service';

/** Discord's guild preview: what a guild shows of itself before one opens it. */
export interface GuildPreview {
  id: string;
  name: string;
  icon: string | null;
  splash: null;
  discovery_splash: null;
  banner: string | null;
  emojis: Emoji[];
  features: string[];
  approximate_member_count: number;
  approximate_presence_count: number;
  description: string | null;
  stickers: Sticker[];
}

/** Voice endpoints named in the web app's CSP, at most. */
const MAX_VOICE_ENDPOINTS = 64;

/** A voice region as Discord lists them. */
export interface VoiceRegion {
  id: string;
  name: string;
  optimal: boolean;
  deprecated: boolean;
  custom: boolean;
}

/** The small read-only guild routes bots call on their way (preview, their own member, integrations). */
export class GuildInfoService {
  constructor(
    private readonly deps: Deps,
    private readonly guilds: GuildsService,
    private readonly members: MembersService,
    private readonly emojis: EmojisService,
  ) {}

  /**
   * GET /guilds/:id/preview: for members, and (Discord's rule) for anyone when the guild is discoverable — here a
   * listed group (ADR 0031). Anything else is 404 Unknown Guild.
   */
  async preview(principal: Principal, guildId: string): Promise<GuildPreview> {
    const { db } = this.deps;
    const g = await loadGuildActor(db, guildId, principal.userId).then(
      (actor) => actor.guild,
      async (err) => {
        const [row] = await db.select().from(guilds).where(eq(guilds.id, guildId));
        const listed =
          row?.features.includes('DISCOVERABLE') &&
          (row.groupJoinMode === 'public' || row.groupJoinMode === 'approval');
        if (!listed) throw err;
        return row;
      },
    );
    const [emojis, stickers, counts] = await Promise.all([
      this.emojis.all(db, guildId),
      guildStickers(db, guildId),
      this.guilds.counts(db, [guildId]),
    ]);
    return {
      id: g.id,
      name: g.name,
      icon: g.icon,
      splash: null,
      discovery_splash: null,
      banner: g.banner,
      emojis,
      features: g.features,
      ...counts.get(guildId)!,
      description: g.description,
      stickers,
    };
  }

  /** GET /users/@me/guilds/:id/member: the caller's own member object; 404 Unknown Guild when not a member. */
  async myMember(principal: Principal, guildId: string): Promise<Member> {
    return this.members.get(principal, guildId, principal.userId);
  }

  /**
   * GET /guilds/:id/integrations (MANAGE_GUILD): the bots added to the guild, as Discord lists them (type
   * `discord`, id the application's); removing one is kicking its bot.
   */
  async integrations(principal: Principal, guildId: string): Promise<Integration[]> {
    const { db } = this.deps;
    const actor = await loadGuildActor(db, guildId, principal.userId);
    actor.require(Permission.MANAGE_GUILD);
    const rows = await db
      .select({ app: applications, bot: users })
      .from(members)
      .innerJoin(applications, eq(applications.botUserId, members.userId))
      .innerJoin(users, eq(users.id, members.userId))
      .where(eq(members.guildId, guildId))
      .orderBy(applications.id);
    return rows.map(({ app, bot }) => ({
      id: app.id,
      name: app.name,
      type: 'discord' as const,
      enabled: true,
      account: { id: bot.id, name: bot.username },
      application: {
        id: app.id,
        name: app.name,
        icon: app.icon,
        description: app.description,
        bot: toPublicUser(bot),
      },
      scopes: ['bot', 'applications.commands'],
    }));
  }

  /**
   * GET /voice/regions: the regions the live Hearth processes declare (VOICE_REGION), once each; the one this process
   * declares is optimal (the caller reached it, so it is the nearest Hearth knows of). All are `custom`: none is one of
   * Discord's.
   */
  async voiceRegions(): Promise<VoiceRegion[]> {
    return voiceRegions(await this.deps.voicePlacement.processes(), this.deps.config.voiceRegion);
  }

  /** The voice endpoints of the other live processes (the web app's CSP lets it send them WebRTC offers). */
  async voiceEndpoints(): Promise<string[]> {
    const own = this.deps.config.voiceEndpoint;
    const all = (await this.deps.voicePlacement.processes()).map((p) => p.endpoint);
    return [...new Set(all)].filter((e) => e !== own).slice(0, MAX_VOICE_ENDPOINTS);
  }

  /** GET /guilds/:id/regions: the same list, for the guild's members only. */
  async guildVoiceRegions(principal: Principal, guildId: string): Promise<VoiceRegion[]> {
    await loadGuildActor(this.deps.db, guildId, principal.userId);
    return this.voiceRegions();
  }
}

/** The distinct regions of these processes, this process's own first and optimal. */
function voiceRegions(processes: Array<{ region: string; regionName: string }>, own: string): VoiceRegion[] {
  const byId = new Map<string, VoiceRegion>();
  for (const p of processes)
    if (!byId.has(p.region))
      byId.set(p.region, {
        id: p.region,
        name: p.regionName,
        optimal: p.region === own,
        deprecated: false,
        custom: true,
      });
  return [...byId.values()].sort((a, b) => Number(b.optimal) - Number(a.optimal) || a.id.localeCompare(b.id));
}
