CREATE TABLE "call_voice_states" (
	"channel_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"session_id" text NOT NULL,
	"self_mute" boolean DEFAULT false NOT NULL,
	"self_deaf" boolean DEFAULT false NOT NULL,
	"self_video" boolean DEFAULT false NOT NULL,
	"self_stream" boolean DEFAULT false NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "call_voice_states_channel_id_user_id_pk" PRIMARY KEY("channel_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "calls" (
	"channel_id" bigint PRIMARY KEY NOT NULL,
	"ringing" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "call_voice_states_user_idx" ON "call_voice_states" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "call_voice_states_session_idx" ON "call_voice_states" USING btree ("session_id");