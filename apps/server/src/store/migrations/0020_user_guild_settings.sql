CREATE TABLE "user_guild_settings" (
	"user_id" bigint NOT NULL,
	"guild_id" bigint NOT NULL,
	"message_notifications" smallint DEFAULT 3 NOT NULL,
	"muted" boolean DEFAULT false NOT NULL,
	"mute_end_time" timestamp with time zone,
	"mute_window" integer,
	"suppress_everyone" boolean DEFAULT false NOT NULL,
	"suppress_roles" boolean DEFAULT false NOT NULL,
	"channel_overrides" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "user_guild_settings_user_id_guild_id_pk" PRIMARY KEY("user_id","guild_id")
);
