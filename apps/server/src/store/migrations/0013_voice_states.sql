CREATE TABLE "voice_states" (
	"guild_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"channel_id" bigint NOT NULL,
	"session_id" text NOT NULL,
	"self_mute" boolean DEFAULT false NOT NULL,
	"self_deaf" boolean DEFAULT false NOT NULL,
	"self_video" boolean DEFAULT false NOT NULL,
	"self_stream" boolean DEFAULT false NOT NULL,
	"suppress" boolean DEFAULT false NOT NULL,
	"request_to_speak_timestamp" timestamp with time zone,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "voice_states_guild_id_user_id_pk" PRIMARY KEY("guild_id","user_id")
);
--> statement-breakpoint
CREATE INDEX "voice_states_channel_idx" ON "voice_states" USING btree ("channel_id");--> statement-breakpoint
CREATE INDEX "voice_states_session_idx" ON "voice_states" USING btree ("session_id");