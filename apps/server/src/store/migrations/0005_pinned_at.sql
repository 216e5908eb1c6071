ALTER TABLE "messages" ADD COLUMN "pinned_at" timestamp with time zone;--> statement-breakpoint
-- Messages pinned before this column existed: their pin time is unknown, so their own creation time (from the id).
UPDATE "messages" SET "pinned_at" = to_timestamp((("id" >> 22) + 1420070400000) / 1000.0) WHERE "pinned";
