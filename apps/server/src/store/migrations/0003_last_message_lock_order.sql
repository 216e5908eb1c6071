-- A statement may write messages to several channels (coalesced inserts, ADR 0014): the trigger locks those channels
-- in ascending id order before updating them, as every transaction that locks several channel rows does, so that two
-- such statements cannot each hold a channel the other waits for.
CREATE OR REPLACE FUNCTION "channels_follow_last_message"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM "channels" WHERE "id" IN (SELECT "channel_id" FROM "inserted") ORDER BY "id" FOR NO KEY UPDATE;
  UPDATE "channels" AS c SET "last_message_id" = n."newest"
  FROM (SELECT "channel_id", max("id") AS "newest" FROM "inserted" GROUP BY "channel_id") AS n
  WHERE c."id" = n."channel_id" AND (c."last_message_id" IS NULL OR c."last_message_id" < n."newest");
  RETURN NULL;
END
$$;
