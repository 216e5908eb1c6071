import { type Static, Type } from 'typebox';
import { ImageData, Nullable, Snowflake } from './common';
import { Member } from './guilds';
import { User } from './users';

export const ScheduledEventEntityType = { StageInstance: 1, Voice: 2, External: 3 } as const;
export const ScheduledEventStatus = { Scheduled: 1, Active: 2, Completed: 3, Canceled: 4 } as const;
/** The only privacy level Discord has: GUILD_ONLY. */
export const ScheduledEventPrivacy = { GuildOnly: 2 } as const;

const Timestamp = Type.String({ format: 'date-time' });
const EntityMetadata = Type.Object({
  location: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});

/**
 * Discord's recurrence rule, kept as given once its shape is checked (Hearth does not expand recurrences). `end`,
 * `count` and `by_year_day` cannot be set by clients, as on Discord.
 */
export const RecurrenceRule = Type.Object(
  {
    start: Timestamp,
    end: Type.Optional(Type.Null()),
    frequency: Type.Integer({ minimum: 0, maximum: 3 }),
    interval: Type.Integer({ minimum: 1, maximum: 2 }),
    by_weekday: Type.Optional(
      Nullable(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7 })),
    ),
    by_n_weekday: Type.Optional(
      Nullable(
        Type.Array(
          Type.Object({
            n: Type.Integer({ minimum: 1, maximum: 5 }),
            day: Type.Integer({ minimum: 0, maximum: 6 }),
          }),
          { maxItems: 1 },
        ),
      ),
    ),
    by_month: Type.Optional(Nullable(Type.Array(Type.Integer({ minimum: 1, maximum: 12 }), { maxItems: 1 }))),
    by_month_day: Type.Optional(
      Nullable(Type.Array(Type.Integer({ minimum: 1, maximum: 31 }), { maxItems: 1 })),
    ),
    by_year_day: Type.Optional(Type.Null()),
    count: Type.Optional(Type.Null()),
  },
  { additionalProperties: false },
);

export const ScheduledEvent = Type.Object({
  id: Snowflake,
  guild_id: Snowflake,
  channel_id: Nullable(Snowflake),
  creator_id: Nullable(Snowflake),
  name: Type.String(),
  description: Nullable(Type.String()),
  scheduled_start_time: Type.String(),
  scheduled_end_time: Nullable(Type.String()),
  privacy_level: Type.Integer(),
  status: Type.Integer(),
  entity_type: Type.Integer(),
  entity_id: Nullable(Snowflake),
  entity_metadata: Type.Union([Type.Object({ location: Type.Optional(Type.String()) }), Type.Null()]),
  creator: Type.Optional(User),
  user_count: Type.Optional(Type.Integer()),
  image: Nullable(Type.String()),
  recurrence_rule: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  guild_scheduled_event_exceptions: Type.Array(Type.Any()),
});
export type ScheduledEvent = Static<typeof ScheduledEvent>;

const Name = Type.String({ minLength: 1, maxLength: 100 });
const Description = Type.String({ minLength: 1, maxLength: 1000 });

export const CreateScheduledEvent = Type.Object(
  {
    channel_id: Type.Optional(Nullable(Snowflake)),
    entity_metadata: Type.Optional(Nullable(EntityMetadata)),
    name: Name,
    privacy_level: Type.Literal(ScheduledEventPrivacy.GuildOnly),
    scheduled_start_time: Timestamp,
    scheduled_end_time: Type.Optional(Nullable(Timestamp)),
    description: Type.Optional(Nullable(Description)),
    entity_type: Type.Integer({ minimum: 1, maximum: 3 }),
    image: Type.Optional(Nullable(ImageData)),
    recurrence_rule: Type.Optional(Nullable(RecurrenceRule)),
  },
  { additionalProperties: false },
);
export type CreateScheduledEvent = Static<typeof CreateScheduledEvent>;

export const ModifyScheduledEvent = Type.Object(
  {
    channel_id: Type.Optional(Nullable(Snowflake)),
    entity_metadata: Type.Optional(Nullable(EntityMetadata)),
    name: Type.Optional(Name),
    privacy_level: Type.Optional(Type.Literal(ScheduledEventPrivacy.GuildOnly)),
    scheduled_start_time: Type.Optional(Timestamp),
    scheduled_end_time: Type.Optional(Nullable(Timestamp)),
    description: Type.Optional(Nullable(Description)),
    entity_type: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })),
    status: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 })),
    image: Type.Optional(Nullable(ImageData)),
    recurrence_rule: Type.Optional(Nullable(RecurrenceRule)),
  },
  { additionalProperties: false },
);
export type ModifyScheduledEvent = Static<typeof ModifyScheduledEvent>;

export const ScheduledEventUser = Type.Object({
  guild_scheduled_event_id: Snowflake,
  user: User,
  member: Type.Optional(Member),
});
export type ScheduledEventUser = Static<typeof ScheduledEventUser>;

export const ScheduledEventUsersQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  with_member: Type.Optional(Type.Boolean()),
  before: Type.Optional(Snowflake),
  after: Type.Optional(Snowflake),
});
export type ScheduledEventUsersQuery = Static<typeof ScheduledEventUsersQuery>;
