-- A channel's last_message_id follows the newest message written to it, in the statement that writes the message:
-- no separate UPDATE round trip, and the channel row is locked only for the instant before that statement commits.
-- Forward only (ids are snowflakes), and deletions leave it as it is, as Discord does.
CREATE FUNCTION "channel_follows_last_message"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "channels" SET "last_message_id" = NEW."id"
  WHERE "id" = NEW."channel_id" AND ("last_message_id" IS NULL OR "last_message_id" < NEW."id");
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "messages_set_last_message_id" AFTER INSERT ON "messages"
FOR EACH ROW EXECUTE FUNCTION "channel_follows_last_message"();
