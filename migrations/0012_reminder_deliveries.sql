CREATE TABLE "reminder_deliveries" (
	"run_id" text NOT NULL,
	"chat_id" bigint NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"last_error" text,
	CONSTRAINT "reminder_deliveries_run_id_chat_id_pk" PRIMARY KEY("run_id","chat_id")
);
--> statement-breakpoint
DROP INDEX "reminder_claims_unsent_idx";--> statement-breakpoint
DROP INDEX "reminder_claims_unsent_chat_idx";--> statement-breakpoint
CREATE INDEX "reminder_deliveries_unsent_idx" ON "reminder_deliveries" USING btree ("claimed_at") WHERE "reminder_deliveries"."sent_at" IS NULL;--> statement-breakpoint
CREATE INDEX "reminder_deliveries_sent_run_idx" ON "reminder_deliveries" USING btree ("run_id") WHERE "reminder_deliveries"."sent_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "reminder_claims_owner_idx" ON "reminder_claims" USING btree ("claimed_by","recipient_chat_id");--> statement-breakpoint
-- Claims still waiting for their digest when this migration runs keep waiting, now in
-- reminder_deliveries (their lease clock: the oldest claim of each digest).
INSERT INTO "reminder_deliveries" ("run_id", "chat_id", "claimed_at")
SELECT "claimed_by", "recipient_chat_id", min("claimed_at") FROM "reminder_claims"
WHERE "sent_at" IS NULL AND "claimed_by" IS NOT NULL AND "recipient_chat_id" <> 0 AND ("payload" ? 'line' OR "payload" ? 'reply')
GROUP BY 1, 2;
--> statement-breakpoint
-- The one definition of "was this claim sent?": settled on its own row (an action, a ping, a
-- claim given up after too many attempts) or with its digest (reminder_deliveries). Every
-- reader of a claim's state reads it here. Filter on `sent` (`NOT sent`: the planner turns it
-- into `c.sent_at IS NULL AND d.sent_at IS NULL` and estimates each from its column), not on
-- `sent_at IS NULL` (an expression it cannot estimate: it then plans for a handful of rows).
CREATE VIEW "reminder_claim_state" AS
SELECT c.key, c.rule, c.target, c.recipient_chat_id, c.claimed_by, c.claimed_at, c.attempts, c.payload,
  c.sent_at IS NOT NULL OR d.sent_at IS NOT NULL AS sent,
  coalesce(c.sent_at, d.sent_at) AS sent_at,
  CASE WHEN c.sent_at IS NULL AND d.sent_at IS NOT NULL THEN d.last_error ELSE c.last_error END AS last_error
FROM reminder_claims c
LEFT JOIN reminder_deliveries d ON d.run_id = c.claimed_by AND d.chat_id = c.recipient_chat_id;
--> statement-breakpoint
-- Every claim that waits for a digest (unsettled, to a chat, with a digest line or the reply
-- fact a line is rendered from: not an action's claim, settled at once to chat 0, nor a ping,
-- settled on its own row) has its
-- (run, chat) row in reminder_deliveries, whoever inserts it and however (a statement trigger
-- sees a whole INSERT … SELECT at once: one row per digest, not per claim). The same after a
-- takeover (UPDATE of claimed_by): the new owner's rows are added, and an old owner's unsent
-- row that has no unsent claim left is removed.
CREATE FUNCTION reminder_claims_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  joined_sent boolean;
BEGIN
  WITH pairs AS (
    SELECT claimed_by AS run_id, recipient_chat_id AS chat_id, min(claimed_at) AS claimed_at
    FROM new_claims
    WHERE sent_at IS NULL AND claimed_by IS NOT NULL AND recipient_chat_id <> 0 AND (payload ? 'line' OR payload ? 'reply')
    GROUP BY 1, 2),
  added AS (
    INSERT INTO reminder_deliveries (run_id, chat_id, claimed_at)
    SELECT run_id, chat_id, claimed_at FROM pairs
    ON CONFLICT (run_id, chat_id) DO NOTHING)
  -- The statement's snapshot: only rows that were there before this insert. A run that has
  -- sent nothing yet (every claim of a sweep) is answered by one probe of the sent-by-run index.
  SELECT EXISTS (
    SELECT 1 FROM reminder_deliveries d
    WHERE d.run_id = ANY (ARRAY(SELECT DISTINCT run_id FROM pairs)) AND d.sent_at IS NOT NULL)
    AND EXISTS (
    SELECT 1 FROM pairs p JOIN reminder_deliveries d ON d.run_id = p.run_id AND d.chat_id = p.chat_id
    WHERE d.sent_at IS NOT NULL)
  INTO joined_sent;
  IF joined_sent THEN
    -- Claims joined a digest already sent (a run's report to the support chat after that chat
    -- had its digest): the claims sent with it keep their state on their own rows, and the
    -- delivery is reopened for the new ones.
    UPDATE reminder_claims c SET sent_at = d.sent_at, last_error = d.last_error
    FROM reminder_deliveries d
    WHERE d.sent_at IS NOT NULL AND c.claimed_by = d.run_id AND c.recipient_chat_id = d.chat_id
      AND c.sent_at IS NULL
      AND (d.run_id, d.chat_id) IN (SELECT claimed_by, recipient_chat_id FROM new_claims
        WHERE sent_at IS NULL AND recipient_chat_id <> 0 AND (payload ? 'line' OR payload ? 'reply'))
      AND c.key NOT IN (SELECT key FROM new_claims);
    UPDATE reminder_deliveries d SET sent_at = NULL, last_error = NULL, claimed_at = n.claimed_at
    FROM (SELECT claimed_by, recipient_chat_id, min(claimed_at) AS claimed_at FROM new_claims
      WHERE sent_at IS NULL AND recipient_chat_id <> 0 AND (payload ? 'line' OR payload ? 'reply') GROUP BY 1, 2) n
    WHERE d.run_id = n.claimed_by AND d.chat_id = n.recipient_chat_id AND d.sent_at IS NOT NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM reminder_deliveries d
    USING (SELECT DISTINCT claimed_by, recipient_chat_id FROM old_claims WHERE claimed_by IS NOT NULL) o
    WHERE d.run_id = o.claimed_by AND d.chat_id = o.recipient_chat_id AND d.sent_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM reminder_claims c
        WHERE c.claimed_by = d.run_id AND c.recipient_chat_id = d.chat_id AND c.sent_at IS NULL);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER reminder_claims_deliveries_insert
  AFTER INSERT ON reminder_claims
  REFERENCING NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION reminder_claims_deliveries();
--> statement-breakpoint
CREATE TRIGGER reminder_claims_deliveries_update
  AFTER UPDATE ON reminder_claims
  REFERENCING OLD TABLE AS old_claims NEW TABLE AS new_claims
  FOR EACH STATEMENT EXECUTE FUNCTION reminder_claims_deliveries();
