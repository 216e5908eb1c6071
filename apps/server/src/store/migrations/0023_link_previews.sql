CREATE TABLE "link_previews" (
	"url" text PRIMARY KEY NOT NULL,
	"embed" jsonb,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "link_previews_fetched_idx" ON "link_previews" USING btree ("fetched_at");