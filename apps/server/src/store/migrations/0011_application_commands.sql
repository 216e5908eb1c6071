CREATE TABLE "application_command_permissions" (
	"guild_id" bigint NOT NULL,
	"command_id" bigint NOT NULL,
	"application_id" bigint NOT NULL,
	"permissions" jsonb NOT NULL,
	CONSTRAINT "application_command_permissions_guild_id_command_id_pk" PRIMARY KEY("guild_id","command_id")
);
--> statement-breakpoint
CREATE TABLE "application_commands" (
	"application_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"guild_id" bigint,
	"type" smallint NOT NULL,
	"name" text NOT NULL,
	"name_localizations" jsonb,
	"description" text DEFAULT '' NOT NULL,
	"description_localizations" jsonb,
	"options" jsonb,
	"default_member_permissions" bigint,
	"contexts" jsonb,
	"integration_types" jsonb NOT NULL,
	"nsfw" boolean DEFAULT false NOT NULL,
	"version" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "application_commands_application_id_id_pk" PRIMARY KEY("application_id","id"),
	CONSTRAINT "application_commands_name_key" UNIQUE NULLS NOT DISTINCT("application_id","guild_id","type","name")
);
--> statement-breakpoint
CREATE INDEX "application_command_permissions_app_idx" ON "application_command_permissions" USING btree ("application_id","command_id");--> statement-breakpoint
CREATE INDEX "application_commands_guild_idx" ON "application_commands" USING btree ("guild_id");