CREATE TABLE "webhooks" (
	"id" bigint PRIMARY KEY NOT NULL,
	"type" smallint DEFAULT 1 NOT NULL,
	"guild_id" bigint NOT NULL,
	"channel_id" bigint NOT NULL,
	"creator_id" bigint,
	"name" text NOT NULL,
	"avatar" text,
	"token" text NOT NULL,
	"application_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "webhook_name" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "webhook_avatar" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "webhook_avatar_url" text;--> statement-breakpoint
CREATE INDEX "webhooks_channel_idx" ON "webhooks" USING btree ("channel_id");--> statement-breakpoint
CREATE INDEX "webhooks_guild_idx" ON "webhooks" USING btree ("guild_id");