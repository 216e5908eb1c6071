CREATE TABLE "cloud_uploads" (
	"channel_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"uploader_id" bigint NOT NULL,
	"filename" text NOT NULL,
	"declared_size" bigint NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"content_type" text,
	"size" bigint,
	"width" integer,
	"height" integer,
	"preview_key" text,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "cloud_uploads_channel_id_id_pk" PRIMARY KEY("channel_id","id")
);
--> statement-breakpoint
CREATE INDEX "cloud_uploads_uploader_idx" ON "cloud_uploads" USING btree ("uploader_id");--> statement-breakpoint
CREATE INDEX "cloud_uploads_expires_idx" ON "cloud_uploads" USING btree ("expires_at");