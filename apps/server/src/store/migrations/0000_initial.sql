CREATE TABLE "applications" (
	"id" bigint PRIMARY KEY NOT NULL,
	"owner_id" bigint NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"icon" text,
	"bot_user_id" bigint NOT NULL,
	"bot_public" boolean DEFAULT true NOT NULL,
	"flags" integer DEFAULT 0 NOT NULL,
	"bot_token_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "channel_recipients" (
	"channel_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_recipients_channel_id_user_id_pk" PRIMARY KEY("channel_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "channels" (
	"id" bigint PRIMARY KEY NOT NULL,
	"type" smallint NOT NULL,
	"guild_id" bigint,
	"name" text,
	"topic" text,
	"position" integer DEFAULT 0 NOT NULL,
	"parent_id" bigint,
	"nsfw" boolean DEFAULT false NOT NULL,
	"rate_limit_per_user" integer DEFAULT 0 NOT NULL,
	"bitrate" integer,
	"user_limit" integer,
	"rtc_region" text,
	"video_quality_mode" smallint,
	"default_auto_archive_duration" integer,
	"last_message_id" bigint,
	"last_pin_timestamp" timestamp with time zone,
	"owner_id" bigint,
	"icon" text,
	"archived" boolean,
	"locked" boolean,
	"invitable" boolean,
	"auto_archive_duration" integer,
	"archive_timestamp" timestamp with time zone,
	"message_count" integer DEFAULT 0 NOT NULL,
	"total_message_sent" integer DEFAULT 0 NOT NULL,
	"flags" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dm_pairs" (
	"user_id" bigint NOT NULL,
	"recipient_id" bigint NOT NULL,
	"channel_id" bigint NOT NULL,
	"closed" boolean DEFAULT false NOT NULL,
	CONSTRAINT "dm_pairs_user_id_recipient_id_pk" PRIMARY KEY("user_id","recipient_id")
);
--> statement-breakpoint
CREATE TABLE "permission_overwrites" (
	"channel_id" bigint NOT NULL,
	"target_id" bigint NOT NULL,
	"guild_id" bigint NOT NULL,
	"type" smallint NOT NULL,
	"allow" bigint NOT NULL,
	"deny" bigint NOT NULL,
	CONSTRAINT "permission_overwrites_channel_id_target_id_pk" PRIMARY KEY("channel_id","target_id")
);
--> statement-breakpoint
CREATE TABLE "read_states" (
	"user_id" bigint NOT NULL,
	"channel_id" bigint NOT NULL,
	"last_message_id" bigint,
	"mention_count" integer DEFAULT 0 NOT NULL,
	"last_pin_timestamp" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "read_states_user_id_channel_id_pk" PRIMARY KEY("user_id","channel_id")
);
--> statement-breakpoint
CREATE TABLE "thread_members" (
	"channel_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"guild_id" bigint NOT NULL,
	"join_timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	"flags" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "thread_members_channel_id_user_id_pk" PRIMARY KEY("channel_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "audit_log_entries" (
	"guild_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"user_id" bigint,
	"target_id" bigint,
	"action_type" smallint NOT NULL,
	"changes" jsonb,
	"options" jsonb,
	"reason" text,
	CONSTRAINT "audit_log_entries_guild_id_id_pk" PRIMARY KEY("guild_id","id")
);
--> statement-breakpoint
CREATE TABLE "bans" (
	"guild_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"reason" text,
	"moderator_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bans_guild_id_user_id_pk" PRIMARY KEY("guild_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "emoji_roles" (
	"guild_id" bigint NOT NULL,
	"emoji_id" bigint NOT NULL,
	"role_id" bigint NOT NULL,
	CONSTRAINT "emoji_roles_guild_id_emoji_id_role_id_pk" PRIMARY KEY("guild_id","emoji_id","role_id")
);
--> statement-breakpoint
CREATE TABLE "emojis" (
	"guild_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"name" text NOT NULL,
	"animated" boolean DEFAULT false NOT NULL,
	"available" boolean DEFAULT true NOT NULL,
	"managed" boolean DEFAULT false NOT NULL,
	"require_colons" boolean DEFAULT true NOT NULL,
	"user_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "emojis_guild_id_id_pk" PRIMARY KEY("guild_id","id")
);
--> statement-breakpoint
CREATE TABLE "guilds" (
	"id" bigint PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"icon" text,
	"description" text,
	"owner_id" bigint NOT NULL,
	"system_channel_id" bigint,
	"system_channel_flags" integer DEFAULT 0 NOT NULL,
	"afk_channel_id" bigint,
	"afk_timeout" integer DEFAULT 300 NOT NULL,
	"verification_level" smallint DEFAULT 0 NOT NULL,
	"default_message_notifications" smallint DEFAULT 0 NOT NULL,
	"explicit_content_filter" smallint DEFAULT 0 NOT NULL,
	"preferred_locale" text DEFAULT 'en-US' NOT NULL,
	"public" boolean DEFAULT false NOT NULL,
	"features" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invites" (
	"code" text PRIMARY KEY NOT NULL,
	"guild_id" bigint NOT NULL,
	"channel_id" bigint NOT NULL,
	"inviter_id" bigint,
	"max_age" integer DEFAULT 86400 NOT NULL,
	"max_uses" integer DEFAULT 0 NOT NULL,
	"uses" integer DEFAULT 0 NOT NULL,
	"temporary" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "member_roles" (
	"guild_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"role_id" bigint NOT NULL,
	CONSTRAINT "member_roles_guild_id_user_id_role_id_pk" PRIMARY KEY("guild_id","user_id","role_id")
);
--> statement-breakpoint
CREATE TABLE "members" (
	"guild_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"nick" text,
	"avatar" text,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"premium_since" timestamp with time zone,
	"deaf" boolean DEFAULT false NOT NULL,
	"mute" boolean DEFAULT false NOT NULL,
	"pending" boolean DEFAULT false NOT NULL,
	"communication_disabled_until" timestamp with time zone,
	"flags" integer DEFAULT 0 NOT NULL,
	"temporary" boolean DEFAULT false NOT NULL,
	CONSTRAINT "members_guild_id_user_id_pk" PRIMARY KEY("guild_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "roles" (
	"guild_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"name" text NOT NULL,
	"color" integer DEFAULT 0 NOT NULL,
	"hoist" boolean DEFAULT false NOT NULL,
	"icon" text,
	"unicode_emoji" text,
	"position" integer DEFAULT 0 NOT NULL,
	"permissions" bigint NOT NULL,
	"managed" boolean DEFAULT false NOT NULL,
	"mentionable" boolean DEFAULT false NOT NULL,
	"bot_id" bigint,
	"flags" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "roles_guild_id_id_pk" PRIMARY KEY("guild_id","id")
);
--> statement-breakpoint
CREATE TABLE "media_files" (
	"storage_key" text PRIMARY KEY NOT NULL,
	"owner_id" bigint,
	"purpose" text NOT NULL,
	"content_type" text NOT NULL,
	"size" bigint NOT NULL,
	"width" integer,
	"height" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attachments" (
	"channel_id" bigint NOT NULL,
	"message_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"filename" text NOT NULL,
	"description" text,
	"content_type" text NOT NULL,
	"size" bigint NOT NULL,
	"width" integer,
	"height" integer,
	"duration_secs" integer,
	"ephemeral" boolean DEFAULT false NOT NULL,
	"storage_key" text NOT NULL,
	"preview_key" text,
	"uploader_id" bigint NOT NULL,
	"flags" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "attachments_channel_id_message_id_id_pk" PRIMARY KEY("channel_id","message_id","id")
);
--> statement-breakpoint
CREATE TABLE "mentions" (
	"user_id" bigint NOT NULL,
	"channel_id" bigint NOT NULL,
	"message_id" bigint NOT NULL,
	"guild_id" bigint,
	"author_id" bigint NOT NULL,
	"kind" smallint DEFAULT 0 NOT NULL,
	CONSTRAINT "mentions_user_id_channel_id_message_id_pk" PRIMARY KEY("user_id","channel_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"channel_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"guild_id" bigint,
	"author_id" bigint NOT NULL,
	"type" smallint DEFAULT 0 NOT NULL,
	"content" text DEFAULT '' NOT NULL,
	"tts" boolean DEFAULT false NOT NULL,
	"mention_everyone" boolean DEFAULT false NOT NULL,
	"mention_user_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"mention_role_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"mention_channel_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"flags" integer DEFAULT 0 NOT NULL,
	"pinned" boolean DEFAULT false NOT NULL,
	"nonce" text,
	"edited_at" timestamp with time zone,
	"reference_channel_id" bigint,
	"reference_message_id" bigint,
	"reference_guild_id" bigint,
	"thread_id" bigint,
	"webhook_id" bigint,
	"application_id" bigint,
	"embeds" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"components" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"sticker_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"search_vector" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED,
	CONSTRAINT "messages_channel_id_id_pk" PRIMARY KEY("channel_id","id")
);
--> statement-breakpoint
CREATE TABLE "reactions" (
	"channel_id" bigint NOT NULL,
	"message_id" bigint NOT NULL,
	"emoji_key" text NOT NULL,
	"user_id" bigint NOT NULL,
	"emoji_id" bigint,
	"emoji_name" text NOT NULL,
	"emoji_animated" boolean DEFAULT false NOT NULL,
	"burst" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reactions_channel_id_message_id_emoji_key_user_id_pk" PRIMARY KEY("channel_id","message_id","emoji_key","user_id")
);
--> statement-breakpoint
CREATE TABLE "credentials" (
	"user_id" bigint PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"email_verified" boolean DEFAULT false NOT NULL,
	"password_hash" text NOT NULL,
	"password_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instance_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mail_tokens" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" bigint NOT NULL,
	"purpose" text NOT NULL,
	"email" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "refresh_tokens" (
	"user_id" bigint NOT NULL,
	"token_hash" text NOT NULL,
	"session_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	CONSTRAINT "refresh_tokens_user_id_token_hash_pk" PRIMARY KEY("user_id","token_hash")
);
--> statement-breakpoint
CREATE TABLE "relationships" (
	"user_id" bigint NOT NULL,
	"other_id" bigint NOT NULL,
	"type" smallint NOT NULL,
	"nickname" text,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "relationships_user_id_other_id_pk" PRIMARY KEY("user_id","other_id")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"user_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"client" text,
	"ip" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "sessions_user_id_id_pk" PRIMARY KEY("user_id","id")
);
--> statement-breakpoint
CREATE TABLE "user_settings" (
	"user_id" bigint PRIMARY KEY NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" bigint PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"global_name" text,
	"avatar" text,
	"banner" text,
	"accent_color" integer,
	"bio" text DEFAULT '' NOT NULL,
	"bot" boolean DEFAULT false NOT NULL,
	"system" boolean DEFAULT false NOT NULL,
	"flags" integer DEFAULT 0 NOT NULL,
	"locale" text DEFAULT 'en-US' NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"upload_limit" bigint DEFAULT 26214400 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "applications_owner_idx" ON "applications" USING btree ("owner_id");--> statement-breakpoint
CREATE UNIQUE INDEX "applications_bot_user_key" ON "applications" USING btree ("bot_user_id");--> statement-breakpoint
CREATE INDEX "channel_recipients_user_idx" ON "channel_recipients" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "channels_guild_idx" ON "channels" USING btree ("guild_id");--> statement-breakpoint
CREATE INDEX "channels_parent_idx" ON "channels" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "permission_overwrites_guild_idx" ON "permission_overwrites" USING btree ("guild_id");--> statement-breakpoint
CREATE INDEX "thread_members_user_idx" ON "thread_members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "guilds_owner_idx" ON "guilds" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "invites_guild_idx" ON "invites" USING btree ("guild_id");--> statement-breakpoint
CREATE INDEX "invites_channel_idx" ON "invites" USING btree ("channel_id");--> statement-breakpoint
CREATE INDEX "member_roles_role_idx" ON "member_roles" USING btree ("guild_id","role_id");--> statement-breakpoint
CREATE INDEX "members_user_idx" ON "members" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "media_files_owner_idx" ON "media_files" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "messages_author_idx" ON "messages" USING btree ("channel_id","author_id","id");--> statement-breakpoint
CREATE INDEX "messages_search_idx" ON "messages" USING gin ("search_vector");--> statement-breakpoint
CREATE UNIQUE INDEX "credentials_email_key" ON "credentials" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "mail_tokens_user_idx" ON "mail_tokens" USING btree ("user_id","purpose");--> statement-breakpoint
CREATE INDEX "refresh_tokens_session_idx" ON "refresh_tokens" USING btree ("user_id","session_id");--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_key" ON "users" USING btree (lower("username"));