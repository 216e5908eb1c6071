CREATE TABLE "account_import_rows" (
	"user_id" bigint NOT NULL,
	"import_id" bigint NOT NULL,
	"row" integer NOT NULL,
	"fields" text[] NOT NULL,
	CONSTRAINT "account_import_rows_user_id_import_id_row_pk" PRIMARY KEY("user_id","import_id","row")
);
--> statement-breakpoint
CREATE TABLE "account_imports" (
	"user_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"type" text NOT NULL,
	"mode" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"total" integer NOT NULL,
	"processed" integer DEFAULT 0 NOT NULL,
	"imported" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"failures" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "account_imports_user_id_id_pk" PRIMARY KEY("user_id","id"),
	CONSTRAINT "account_imports_state_check" CHECK ("account_imports"."state" in ('pending', 'finished'))
);
--> statement-breakpoint
ALTER TABLE "post_edits" ADD COLUMN "poll_options" text[];