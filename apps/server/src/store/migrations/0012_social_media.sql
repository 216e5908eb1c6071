CREATE TABLE "media_attachments" (
	"user_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"type" text NOT NULL,
	"content_type" text NOT NULL,
	"storage_key" text NOT NULL,
	"preview_key" text,
	"size" bigint NOT NULL,
	"width" integer,
	"height" integer,
	"preview_width" integer,
	"preview_height" integer,
	"description" text,
	"focus_x" real DEFAULT 0 NOT NULL,
	"focus_y" real DEFAULT 0 NOT NULL,
	"blurhash" text,
	"status_id" bigint,
	"position" integer,
	"trashed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "media_attachments_user_id_id_pk" PRIMARY KEY("user_id","id"),
	CONSTRAINT "media_attachments_type_check" CHECK ("media_attachments"."type" in ('image', 'gifv', 'video', 'audio', 'unknown'))
);
--> statement-breakpoint
CREATE TABLE "poll_votes" (
	"user_id" bigint NOT NULL,
	"poll_id" bigint NOT NULL,
	"voter_id" bigint NOT NULL,
	"choice" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "poll_votes_user_id_poll_id_voter_id_choice_pk" PRIMARY KEY("user_id","poll_id","voter_id","choice")
);
--> statement-breakpoint
CREATE TABLE "polls" (
	"user_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"options" text[] NOT NULL,
	"multiple" boolean DEFAULT false NOT NULL,
	"hide_totals" boolean DEFAULT false NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"end_notified" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "polls_user_id_id_pk" PRIMARY KEY("user_id","id")
);
--> statement-breakpoint
ALTER TABLE "post_edits" ADD COLUMN "media_ids" text[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
CREATE INDEX "media_attachments_status_idx" ON "media_attachments" USING btree ("user_id","status_id");--> statement-breakpoint
CREATE INDEX "media_attachments_unattached_idx" ON "media_attachments" USING btree ("created_at") WHERE "media_attachments"."status_id" is null;