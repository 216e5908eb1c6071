CREATE TABLE "account_stats" (
	"user_id" bigint PRIMARY KEY NOT NULL,
	"followers_count" integer DEFAULT 0 NOT NULL,
	"following_count" integer DEFAULT 0 NOT NULL,
	"statuses_count" integer DEFAULT 0 NOT NULL,
	"last_status_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "followers" (
	"user_id" bigint NOT NULL,
	"follower_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"accepted" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "followers_user_id_follower_id_pk" PRIMARY KEY("user_id","follower_id")
);
--> statement-breakpoint
CREATE TABLE "follows" (
	"user_id" bigint NOT NULL,
	"target_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"accepted" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "follows_user_id_target_id_pk" PRIMARY KEY("user_id","target_id")
);
--> statement-breakpoint
CREATE TABLE "oauth_apps" (
	"id" bigint PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"website" text,
	"redirect_uris" text[] NOT NULL,
	"scopes" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oauth_tokens" (
	"user_id" bigint NOT NULL,
	"token_hash" text NOT NULL,
	"session_id" bigint NOT NULL,
	"app_id" bigint NOT NULL,
	"scopes" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "oauth_tokens_user_id_token_hash_pk" PRIMARY KEY("user_id","token_hash")
);
--> statement-breakpoint
CREATE TABLE "post_edits" (
	"user_id" bigint NOT NULL,
	"post_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"text" text NOT NULL,
	"content" text NOT NULL,
	"spoiler_text" text NOT NULL,
	"sensitive" boolean NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "post_edits_user_id_post_id_id_pk" PRIMARY KEY("user_id","post_id","id")
);
--> statement-breakpoint
CREATE TABLE "post_idempotency_keys" (
	"user_id" bigint NOT NULL,
	"key" text NOT NULL,
	"post_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "post_idempotency_keys_user_id_key_pk" PRIMARY KEY("user_id","key")
);
--> statement-breakpoint
CREATE TABLE "post_mentions" (
	"user_id" bigint NOT NULL,
	"post_id" bigint NOT NULL,
	"mentioned_id" bigint NOT NULL,
	CONSTRAINT "post_mentions_user_id_post_id_mentioned_id_pk" PRIMARY KEY("user_id","post_id","mentioned_id")
);
--> statement-breakpoint
CREATE TABLE "post_reactions" (
	"user_id" bigint NOT NULL,
	"post_id" bigint NOT NULL,
	"reactor_id" bigint NOT NULL,
	"emoji" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "post_reactions_user_id_post_id_reactor_id_emoji_pk" PRIMARY KEY("user_id","post_id","reactor_id","emoji")
);
--> statement-breakpoint
CREATE TABLE "posts" (
	"user_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"text" text NOT NULL,
	"content" text NOT NULL,
	"spoiler_text" text DEFAULT '' NOT NULL,
	"sensitive" boolean DEFAULT false NOT NULL,
	"visibility" text NOT NULL,
	"language" text,
	"in_reply_to_id" bigint,
	"in_reply_to_account_id" bigint,
	"application_id" bigint,
	"replies_count" integer DEFAULT 0 NOT NULL,
	"favourites_count" integer DEFAULT 0 NOT NULL,
	"reblogs_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"edited_at" timestamp with time zone,
	CONSTRAINT "posts_user_id_id_pk" PRIMARY KEY("user_id","id"),
	CONSTRAINT "posts_visibility_check" CHECK ("posts"."visibility" in ('public', 'unlisted', 'private', 'direct'))
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "name_prefix" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "name_suffix" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "discoverable" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "locked" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "profile_fields" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "followers_user_id_idx" ON "followers" USING btree ("user_id","accepted","id");--> statement-breakpoint
CREATE INDEX "follows_user_id_idx" ON "follows" USING btree ("user_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "oauth_tokens_session_key" ON "oauth_tokens" USING btree ("user_id","session_id");--> statement-breakpoint
CREATE INDEX "post_mentions_mentioned_idx" ON "post_mentions" USING btree ("mentioned_id","post_id");--> statement-breakpoint
CREATE INDEX "post_reactions_reactor_idx" ON "post_reactions" USING btree ("reactor_id","post_id");--> statement-breakpoint
CREATE INDEX "posts_id_idx" ON "posts" USING btree ("id");--> statement-breakpoint
CREATE INDEX "posts_in_reply_to_idx" ON "posts" USING btree ("in_reply_to_id");--> statement-breakpoint
CREATE INDEX "posts_public_idx" ON "posts" USING btree ("id") WHERE "posts"."visibility" = 'public';