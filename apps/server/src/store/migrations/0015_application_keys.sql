ALTER TABLE "applications" ADD COLUMN "verify_key" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "signing_key" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "interactions_endpoint_url" text;