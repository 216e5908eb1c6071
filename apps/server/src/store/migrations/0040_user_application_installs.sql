CREATE TABLE "user_application_installs" (
	"user_id" bigint NOT NULL,
	"application_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"scopes" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_application_installs_user_id_application_id_pk" PRIMARY KEY("user_id","application_id")
);
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "integration_types_config" jsonb DEFAULT '{"0":{}}'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "user_application_installs_app_idx" ON "user_application_installs" USING btree ("application_id");