ALTER TABLE "media_attachments" ADD COLUMN "remote_url" text;--> statement-breakpoint
ALTER TABLE "media_attachments" ADD COLUMN "cached_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "avatar_remote_url" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "header_remote_url" text;--> statement-breakpoint
CREATE INDEX "media_attachments_cached_idx" ON "media_attachments" USING btree ("cached_at") WHERE "media_attachments"."cached_at" is not null;