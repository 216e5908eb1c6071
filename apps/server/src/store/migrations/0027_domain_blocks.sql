CREATE TABLE "domain_blocks" (
	"id" bigint PRIMARY KEY NOT NULL,
	"domain" text NOT NULL,
	"severity" text DEFAULT 'suspend' NOT NULL,
	"private_comment" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "domain_blocks_domain_unique" UNIQUE("domain")
);
--> statement-breakpoint
CREATE TABLE "user_domain_blocks" (
	"user_id" bigint NOT NULL,
	"domain" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_domain_blocks_user_id_domain_pk" PRIMARY KEY("user_id","domain")
);
