CREATE TABLE "followed_tags" (
	"user_id" bigint NOT NULL,
	"tag" text NOT NULL,
	"id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "followed_tags_user_id_tag_pk" PRIMARY KEY("user_id","tag")
);
--> statement-breakpoint
CREATE INDEX "followed_tags_user_id_idx" ON "followed_tags" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "followed_tags_tag_idx" ON "followed_tags" USING btree ("tag");