CREATE TABLE "conversation_statuses" (
	"user_id" bigint NOT NULL,
	"conversation_id" bigint NOT NULL,
	"status_id" bigint NOT NULL,
	CONSTRAINT "conversation_statuses_user_id_conversation_id_status_id_pk" PRIMARY KEY("user_id","conversation_id","status_id")
);
--> statement-breakpoint
CREATE TABLE "conversations" (
	"user_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"thread_id" bigint NOT NULL,
	"participant_ids" text NOT NULL,
	"last_status_id" bigint NOT NULL,
	"unread" boolean DEFAULT false NOT NULL,
	CONSTRAINT "conversations_user_id_id_pk" PRIMARY KEY("user_id","id")
);
--> statement-breakpoint
CREATE TABLE "list_accounts" (
	"user_id" bigint NOT NULL,
	"list_id" bigint NOT NULL,
	"account_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	CONSTRAINT "list_accounts_user_id_list_id_account_id_pk" PRIMARY KEY("user_id","list_id","account_id")
);
--> statement-breakpoint
CREATE TABLE "lists" (
	"user_id" bigint NOT NULL,
	"id" bigint NOT NULL,
	"title" text NOT NULL,
	"replies_policy" text DEFAULT 'list' NOT NULL,
	"exclusive" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lists_user_id_id_pk" PRIMARY KEY("user_id","id"),
	CONSTRAINT "lists_replies_policy_check" CHECK ("lists"."replies_policy" in ('followed', 'list', 'none'))
);
--> statement-breakpoint
CREATE INDEX "conversation_statuses_status_idx" ON "conversation_statuses" USING btree ("status_id");--> statement-breakpoint
CREATE UNIQUE INDEX "conversations_thread_key" ON "conversations" USING btree ("user_id","thread_id","participant_ids");--> statement-breakpoint
CREATE INDEX "conversations_last_status_idx" ON "conversations" USING btree ("user_id","last_status_id");--> statement-breakpoint
CREATE INDEX "list_accounts_user_account_idx" ON "list_accounts" USING btree ("user_id","account_id");--> statement-breakpoint
CREATE INDEX "list_accounts_list_id_idx" ON "list_accounts" USING btree ("user_id","list_id","id");--> statement-breakpoint
CREATE INDEX "lists_id_idx" ON "lists" USING btree ("id");