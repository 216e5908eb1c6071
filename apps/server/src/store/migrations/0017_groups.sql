CREATE TABLE "guild_join_requests" (
	"guild_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"status" text NOT NULL,
	"rejection_reason" text,
	"actioned_by" bigint,
	"actioned_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "guild_join_requests_guild_id_id_pk" PRIMARY KEY("guild_id","id")
);
--> statement-breakpoint
CREATE TABLE "message_reports" (
	"guild_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"channel_id" bigint NOT NULL,
	"message_id" bigint NOT NULL,
	"author_id" bigint NOT NULL,
	"reporter_id" bigint NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolved_by" bigint,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "message_reports_guild_id_id_pk" PRIMARY KEY("guild_id","id")
);
--> statement-breakpoint
ALTER TABLE "guilds" ADD COLUMN "group_join_mode" text;--> statement-breakpoint
ALTER TABLE "guilds" ADD COLUMN "group_rules" text;--> statement-breakpoint
ALTER TABLE "guilds" ADD COLUMN "group_tags" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "guild_join_requests_user_idx" ON "guild_join_requests" USING btree ("guild_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "message_reports_reporter_idx" ON "message_reports" USING btree ("guild_id","message_id","reporter_id");--> statement-breakpoint
CREATE INDEX "message_reports_status_idx" ON "message_reports" USING btree ("guild_id","status","id");