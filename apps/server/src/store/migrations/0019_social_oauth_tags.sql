CREATE TABLE "oauth_client_tokens" (
	"app_id" bigint NOT NULL,
	"token_hash" text NOT NULL,
	"scopes" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "oauth_client_tokens_app_id_token_hash_pk" PRIMARY KEY("app_id","token_hash")
);
--> statement-breakpoint
CREATE TABLE "oauth_codes" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"app_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"redirect_uri" text NOT NULL,
	"scopes" text NOT NULL,
	"code_challenge" text,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "post_tags" (
	"tag" text NOT NULL,
	"post_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "post_tags_tag_post_id_pk" PRIMARY KEY("tag","post_id")
);
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "emoji" text;--> statement-breakpoint
CREATE INDEX "oauth_codes_expires_idx" ON "oauth_codes" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "post_tags_post_idx" ON "post_tags" USING btree ("user_id","post_id");--> statement-breakpoint
CREATE INDEX "post_tags_created_idx" ON "post_tags" USING btree ("created_at");
--> statement-breakpoint
INSERT INTO "post_tags" ("tag", "post_id", "user_id", "created_at")
SELECT DISTINCT lower(m[1]), p."id", p."user_id", p."created_at"
FROM "posts" p, regexp_matches(p."text", '(?:^|[^[:alnum:]_#&])#([[:alnum:]_]*[[:alpha:]][[:alnum:]_]*)', 'g') AS m
WHERE p."reblog_of_id" IS NULL
ON CONFLICT DO NOTHING;
