CREATE TABLE "markers" (
	"user_id" bigint NOT NULL,
	"timeline" text NOT NULL,
	"last_read_id" bigint NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "markers_user_id_timeline_pk" PRIMARY KEY("user_id","timeline"),
	CONSTRAINT "markers_timeline_check" CHECK ("markers"."timeline" in ('home', 'notifications'))
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"user_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"type" text NOT NULL,
	"from_id" bigint NOT NULL,
	"status_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notifications_user_id_id_pk" PRIMARY KEY("user_id","id"),
	CONSTRAINT "notifications_type_check" CHECK ("notifications"."type" in ('mention', 'status', 'reblog', 'follow', 'follow_request', 'favourite', 'poll', 'update', 'pleroma:emoji_reaction'))
);
--> statement-breakpoint
CREATE INDEX "notifications_status_idx" ON "notifications" USING btree ("status_id");--> statement-breakpoint
CREATE INDEX "notifications_from_idx" ON "notifications" USING btree ("from_id","user_id");