CREATE TABLE "audit_chain_head" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_chain_head_one_row" CHECK ("audit_chain_head"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "chain_seq" bigint;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "prev_hash" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "hash" text;--> statement-breakpoint
CREATE INDEX "audit_log_chain_seq_idx" ON "audit_log" USING btree ("chain_seq");--> statement-breakpoint

-- Hand-written part (issue 9, item 1): a hash chain over audit_log and the runtime role.

-- 1. What a row's hash covers: the previous hash, its chain position and its whole content, as
--    one unambiguous JSON array (jsonb text is canonical: key order and spacing are fixed). The
--    instant is written in UTC so the session's TimeZone cannot change it.
--    src/services/audit-verify.ts repeats this expression on purpose instead of calling the
--    function, so replacing the function cannot make a forged row verify.
CREATE FUNCTION audit_log_payload(
  p_prev text, p_seq bigint, p_id bigint, p_at timestamptz, p_actor text, p_action text,
  p_entity text, p_entity_id text, p_details jsonb
) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_array(
    p_prev, p_seq, p_id, to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    p_actor, p_action, p_entity, p_entity_id, p_details
  )::text
$$;
--> statement-breakpoint

-- 2. Existing rows join the chain in id order (the owner runs this, so it may lift the
--    append-only trigger for the length of the migration's transaction).
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete;
--> statement-breakpoint
DO $$
DECLARE
  r audit_log;
  prev text := repeat('0', 64);
  n bigint := 0;
  h text;
BEGIN
  FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
    n := n + 1;
    h := encode(sha256(convert_to(audit_log_payload(
      prev, n, r.id, r.at, r.actor, r.action, r.entity, r.entity_id, r.details), 'UTF8')), 'hex');
    UPDATE audit_log SET chain_seq = n, prev_hash = prev, hash = h WHERE id = r.id;
    prev := h;
  END LOOP;
  INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, n, prev);
END;
$$;
--> statement-breakpoint
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete;
--> statement-breakpoint

-- 3. Every new row is chained in the database, whatever the application sends. The first audit
--    row of a transaction locks the head row FOR UPDATE until commit, so concurrent transactions
--    chain one after the other (PGlite has one connection anyway). Later rows of the same
--    transaction take the head from a transaction-local setting instead of re-reading and
--    re-writing the head row per row (12× faster for an import's audit batch), and one AFTER
--    STATEMENT trigger writes the head back. A session that fakes the setting only produces rows
--    that `mailbot audit verify` reports. SECURITY DEFINER: the runtime role cannot write the
--    head itself, only through these triggers.
CREATE FUNCTION audit_log_chain() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  cached text := current_setting('mailbot.audit_chain_head', true);
  tx text := txid_current()::text;
  head_seq bigint;
  head_hash text;
BEGIN
  IF cached IS NOT NULL AND split_part(cached, ':', 1) = tx THEN
    head_seq := split_part(cached, ':', 2)::bigint;
    head_hash := split_part(cached, ':', 3);
  ELSE
    SELECT seq, hash INTO head_seq, head_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
      INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, repeat('0', 64)) ON CONFLICT (id) DO NOTHING;
      SELECT seq, hash INTO head_seq, head_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE;
    END IF;
  END IF;
  NEW.chain_seq := head_seq + 1;
  NEW.prev_hash := head_hash;
  NEW.hash := encode(sha256(convert_to(audit_log_payload(
    NEW.prev_hash, NEW.chain_seq, NEW.id, NEW.at, NEW.actor, NEW.action, NEW.entity,
    NEW.entity_id, NEW.details), 'UTF8')), 'hex');
  PERFORM set_config('mailbot.audit_chain_head', tx || ':' || NEW.chain_seq || ':' || NEW.hash, true);
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_chain
  BEFORE INSERT ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
--> statement-breakpoint
CREATE FUNCTION audit_log_chain_head() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  cached text := current_setting('mailbot.audit_chain_head', true);
BEGIN
  IF cached IS NOT NULL AND split_part(cached, ':', 1) = txid_current()::text THEN
    UPDATE audit_chain_head
      SET seq = split_part(cached, ':', 2)::bigint, hash = split_part(cached, ':', 3)
      WHERE id = 1;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_chain_head
  AFTER INSERT ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_chain_head();
--> statement-breakpoint

-- 4. The runtime role mailbot_app (NOLOGIN; the operator gives a login role its membership, see
--    `mailbot db roles` and docs/security.md): the usual rights on every table, but only
--    SELECT and INSERT on audit_log and only SELECT on audit_chain_head. It owns nothing, so it
--    cannot ALTER or DISABLE a trigger. Tables later migrations create get the same rights
--    (default privileges of the migrating role). Creating the role needs CREATEROLE; without it
--    the migration goes on and the operator creates the role (the grants then need a re-run of
--    `mailbot db roles --apply`).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mailbot_app') THEN
    BEGIN
      CREATE ROLE mailbot_app NOLOGIN;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL; -- created concurrently (parallel test databases)
      WHEN insufficient_privilege THEN
        RAISE NOTICE 'mailbot: cannot create role mailbot_app (no CREATEROLE); grants skipped';
        RETURN;
    END;
  END IF;
  GRANT USAGE ON SCHEMA public TO mailbot_app;
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO mailbot_app;
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO mailbot_app;
  REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM mailbot_app;
  REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_chain_head FROM mailbot_app;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mailbot_app;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO mailbot_app;
END;
$$;
