ALTER TABLE "channels" ADD COLUMN "available_tags" jsonb;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "default_reaction_emoji" jsonb;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "default_thread_rate_limit_per_user" integer;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "default_sort_order" smallint;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "default_forum_layout" smallint;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "applied_tags" jsonb;