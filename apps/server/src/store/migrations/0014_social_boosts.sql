CREATE TABLE "bookmarks" (
	"user_id" bigint NOT NULL,
	"post_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bookmarks_user_id_post_id_pk" PRIMARY KEY("user_id","post_id")
);
--> statement-breakpoint
CREATE TABLE "mutes" (
	"user_id" bigint NOT NULL,
	"target_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"notifications" boolean NOT NULL,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mutes_user_id_target_id_pk" PRIMARY KEY("user_id","target_id")
);
--> statement-breakpoint
CREATE TABLE "status_pins" (
	"user_id" bigint NOT NULL,
	"post_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "status_pins_user_id_post_id_pk" PRIMARY KEY("user_id","post_id")
);
--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "reblog_of_id" bigint;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "reblog_of_account_id" bigint;--> statement-breakpoint
CREATE INDEX "bookmarks_user_id_idx" ON "bookmarks" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "bookmarks_post_idx" ON "bookmarks" USING btree ("post_id");--> statement-breakpoint
CREATE INDEX "mutes_user_id_idx" ON "mutes" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "posts_reblog_of_idx" ON "posts" USING btree ("reblog_of_id");--> statement-breakpoint
CREATE UNIQUE INDEX "posts_reblog_key" ON "posts" USING btree ("user_id","reblog_of_id") WHERE "posts"."reblog_of_id" is not null;