CREATE TABLE "actor_keys" (
	"user_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"public_key" jsonb NOT NULL,
	"private_key" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "actor_keys_user_id_kind_pk" PRIMARY KEY("user_id","kind")
);
--> statement-breakpoint
CREATE TABLE "fedify_kv" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "follows" ADD COLUMN "uri" text;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "uri" text;--> statement-breakpoint
ALTER TABLE "posts" ADD COLUMN "url" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "remote" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "uri" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "url" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "inbox" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "shared_inbox" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "public_key" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "fetched_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "posts_uri_key" ON "posts" USING btree ("uri") WHERE "posts"."uri" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "users_uri_key" ON "users" USING btree ("uri") WHERE "users"."uri" is not null;