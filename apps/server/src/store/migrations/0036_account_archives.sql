CREATE TABLE "account_archives" (
	"user_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"storage_key" text,
	"size" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	CONSTRAINT "account_archives_user_id_id_pk" PRIMARY KEY("user_id","id"),
	CONSTRAINT "account_archives_state_check" CHECK ("account_archives"."state" in ('pending', 'ready', 'failed'))
);
--> statement-breakpoint
CREATE INDEX "account_archives_expires_idx" ON "account_archives" USING btree ("expires_at");