ALTER TABLE "messages" ADD COLUMN "call" jsonb;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "message_id" bigint;--> statement-breakpoint
ALTER TABLE "calls" ADD COLUMN "region" text;