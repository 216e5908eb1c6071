CREATE TABLE "application_emojis" (
	"application_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"name" text NOT NULL,
	"animated" boolean DEFAULT false NOT NULL,
	"user_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "application_emojis_application_id_id_pk" PRIMARY KEY("application_id","id")
);
--> statement-breakpoint
CREATE TABLE "scheduled_event_users" (
	"guild_id" bigint NOT NULL,
	"event_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scheduled_event_users_guild_id_event_id_user_id_pk" PRIMARY KEY("guild_id","event_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "scheduled_events" (
	"guild_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"channel_id" bigint,
	"creator_id" bigint,
	"name" text NOT NULL,
	"description" text,
	"scheduled_start_time" timestamp with time zone NOT NULL,
	"scheduled_end_time" timestamp with time zone,
	"privacy_level" smallint DEFAULT 2 NOT NULL,
	"status" smallint DEFAULT 1 NOT NULL,
	"entity_type" smallint NOT NULL,
	"location" text,
	"image" text,
	"recurrence_rule" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scheduled_events_guild_id_id_pk" PRIMARY KEY("guild_id","id")
);
--> statement-breakpoint
CREATE TABLE "stickers" (
	"guild_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"tags" text NOT NULL,
	"format_type" smallint NOT NULL,
	"available" boolean DEFAULT true NOT NULL,
	"user_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stickers_guild_id_id_pk" PRIMARY KEY("guild_id","id")
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "sticker_items" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "application_emojis_id_idx" ON "application_emojis" USING btree ("id");--> statement-breakpoint
CREATE INDEX "stickers_id_idx" ON "stickers" USING btree ("id");--> statement-breakpoint
ALTER TABLE "messages" DROP COLUMN "sticker_ids";