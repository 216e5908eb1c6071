import { type Static, Type } from 'typebox';
import { Nullable, Snowflake } from './common';
import { User } from './users';

/** Discord's sticker types. */
export const StickerType = { Standard: 1, Guild: 2 } as const;

/** Discord's sticker format types: the format a sticker was uploaded in. */
export const StickerFormat = { Png: 1, Apng: 2, Lottie: 3, Gif: 4 } as const;

export const Sticker = Type.Object({
  id: Snowflake,
  pack_id: Type.Optional(Snowflake),
  name: Type.String(),
  description: Nullable(Type.String()),
  tags: Type.String(),
  type: Type.Integer(),
  format_type: Type.Integer(),
  available: Type.Optional(Type.Boolean()),
  guild_id: Type.Optional(Snowflake),
  user: Type.Optional(User),
  sort_value: Type.Optional(Type.Integer()),
});
export type Sticker = Static<typeof Sticker>;

/** What a message shows of a sticker. */
export const StickerItem = Type.Object({ id: Snowflake, name: Type.String(), format_type: Type.Integer() });
export type StickerItem = Static<typeof StickerItem>;

export const StickerPack = Type.Object({
  id: Snowflake,
  stickers: Type.Array(Sticker),
  name: Type.String(),
  sku_id: Snowflake,
  cover_sticker_id: Type.Optional(Snowflake),
  description: Type.String(),
  banner_asset_id: Type.Optional(Snowflake),
});
export type StickerPack = Static<typeof StickerPack>;

const StickerName = Type.String({ minLength: 2, maxLength: 30 });
const StickerTags = Type.String({ minLength: 1, maxLength: 200 });
/** Empty or 2–100 characters. */
const StickerDescription = Type.String({ maxLength: 100, pattern: '^(|[\\s\\S]{2,})$' });

/** The text fields of Create Guild Sticker's form (the file is its own part). */
export const CreateStickerFields = Type.Object({
  name: StickerName,
  description: Type.Optional(StickerDescription),
  tags: StickerTags,
});
export type CreateStickerFields = Static<typeof CreateStickerFields>;

export const ModifySticker = Type.Object(
  {
    name: Type.Optional(StickerName),
    description: Type.Optional(Nullable(StickerDescription)),
    tags: Type.Optional(StickerTags),
  },
  { additionalProperties: false },
);
export type ModifySticker = Static<typeof ModifySticker>;
