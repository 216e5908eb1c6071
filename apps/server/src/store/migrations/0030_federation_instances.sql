CREATE TABLE "federation_instances" (
	"domain" text PRIMARY KEY NOT NULL,
	"last_received_at" timestamp with time zone,
	"last_delivered_at" timestamp with time zone,
	"last_failed_at" timestamp with time zone,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
