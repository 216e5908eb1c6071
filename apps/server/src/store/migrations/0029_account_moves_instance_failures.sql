CREATE TABLE "instance_failures" (
	"host" text PRIMARY KEY NOT NULL,
	"failing_since" timestamp with time zone DEFAULT now() NOT NULL,
	"unavailable_since" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_type_check";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "also_known_as" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "moved_to_id" bigint;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_type_check" CHECK ("notifications"."type" in ('mention', 'status', 'reblog', 'follow', 'follow_request', 'favourite', 'poll', 'update', 'move', 'pleroma:emoji_reaction'));