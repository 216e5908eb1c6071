-- A channel's last_message_id follows the newest message written to it, in the statement that writes the message:
-- no separate UPDATE round trip, and the channel row is locked only for the instant before that statement commits.
-- Once per statement and channel (a bulk insert of a million messages updates each channel once), forward only
-- (ids are snowflakes); deletions leave it as it is, as Discord does.
CREATE FUNCTION "channels_follow_last_message"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "channels" AS c SET "last_message_id" = n."newest"
  FROM (SELECT "channel_id", max("id") AS "newest" FROM "inserted" GROUP BY "channel_id") AS n
  WHERE c."id" = n."channel_id" AND (c."last_message_id" IS NULL OR c."last_message_id" < n."newest");
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "messages_set_last_message_id" AFTER INSERT ON "messages"
REFERENCING NEW TABLE AS "inserted" FOR EACH STATEMENT EXECUTE FUNCTION "channels_follow_last_message"();
