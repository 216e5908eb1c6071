CREATE TABLE "ephemeral_messages" (
	"channel_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"interaction_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"message" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ephemeral_messages_channel_id_id_pk" PRIMARY KEY("channel_id","id")
);
--> statement-breakpoint
CREATE TABLE "interactions" (
	"channel_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"guild_id" bigint,
	"application_id" bigint NOT NULL,
	"user_id" bigint NOT NULL,
	"type" smallint NOT NULL,
	"token_hash" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"response_type" smallint,
	"original_message_id" bigint,
	"original_ephemeral" boolean DEFAULT false NOT NULL,
	"message_id" bigint,
	"nonce" text,
	"modal_custom_id" text,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "interactions_channel_id_id_pk" PRIMARY KEY("channel_id","id")
);
--> statement-breakpoint
CREATE INDEX "ephemeral_messages_interaction_idx" ON "ephemeral_messages" USING btree ("interaction_id");--> statement-breakpoint
CREATE INDEX "interactions_id_idx" ON "interactions" USING btree ("id");--> statement-breakpoint
CREATE INDEX "interactions_created_idx" ON "interactions" USING btree ("created_at");