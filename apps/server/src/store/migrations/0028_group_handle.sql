ALTER TABLE "guilds" ADD COLUMN "group_handle" text;--> statement-breakpoint
CREATE UNIQUE INDEX "guilds_group_handle_key" ON "guilds" USING btree (lower("group_handle"));--> statement-breakpoint
-- Users' usernames and groups' handles are one namespace (ADR 0031): @name names one account. Each side checks the
-- other under a transaction-scoped advisory lock on the lowercased name, so two transactions claiming the same name
-- on either table serialise, and the loser gets the unique violation its own table's index would have raised.
CREATE FUNCTION hearth_claim_account_name() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  claimed text;
BEGIN
  IF TG_TABLE_NAME = 'users' THEN
    claimed := lower(NEW.username);
  ELSE
    claimed := lower(NEW.group_handle);
  END IF;
  IF claimed IS NULL THEN
    RETURN NEW;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('hearth-account-name:' || claimed));
  IF TG_TABLE_NAME = 'users' THEN
    IF EXISTS (SELECT 1 FROM guilds WHERE lower(group_handle) = claimed) THEN
      RAISE EXCEPTION 'username % is a group''s handle', claimed
        USING ERRCODE = 'unique_violation', CONSTRAINT = 'users_username_key';
    END IF;
  ELSIF EXISTS (SELECT 1 FROM users WHERE lower(username) = claimed) THEN
    RAISE EXCEPTION 'group handle % is a username', claimed
      USING ERRCODE = 'unique_violation', CONSTRAINT = 'guilds_group_handle_key';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER users_account_name BEFORE INSERT OR UPDATE OF username ON users
  FOR EACH ROW EXECUTE FUNCTION hearth_claim_account_name();
--> statement-breakpoint
CREATE TRIGGER guilds_account_name BEFORE INSERT OR UPDATE OF group_handle ON guilds
  FOR EACH ROW EXECUTE FUNCTION hearth_claim_account_name();
