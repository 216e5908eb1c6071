CREATE TABLE "account_reports" (
	"id" bigint PRIMARY KEY NOT NULL,
	"reporter_id" bigint NOT NULL,
	"target_id" bigint NOT NULL,
	"status_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"comment" text DEFAULT '' NOT NULL,
	"category" text DEFAULT 'other' NOT NULL,
	"forwarded" boolean DEFAULT false NOT NULL,
	"uri" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_reports_uri_unique" UNIQUE("uri")
);
--> statement-breakpoint
CREATE TABLE "instance_failures" (
	"host" text PRIMARY KEY NOT NULL,
	"failing_since" timestamp with time zone DEFAULT now() NOT NULL,
	"unavailable_since" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_type_check";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "also_known_as" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "moved_to_id" bigint;--> statement-breakpoint
CREATE INDEX "account_reports_target_idx" ON "account_reports" USING btree ("target_id");--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_type_check" CHECK ("notifications"."type" in ('mention', 'status', 'reblog', 'follow', 'follow_request', 'favourite', 'poll', 'update', 'move', 'pleroma:emoji_reaction'));