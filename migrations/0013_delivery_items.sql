ALTER TABLE "reminder_deliveries" ADD COLUMN "items" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Digests waiting when this migration runs: their count of unsent claims.
UPDATE "reminder_deliveries" d SET "items" = n.items
FROM (SELECT "claimed_by", "recipient_chat_id", count(*)::int AS items FROM "reminder_claims"
  WHERE "sent_at" IS NULL AND "claimed_by" IS NOT NULL GROUP BY 1, 2) n
WHERE d."sent_at" IS NULL AND d."run_id" = n."claimed_by" AND d."chat_id" = n."recipient_chat_id";
--> statement-breakpoint
-- As in 0012, and each statement's claims are counted into their digest's row (items), by which
-- the delivery sizes its pages (claims.ts ownedPages).
CREATE OR REPLACE FUNCTION reminder_claims_deliveries() RETURNS trigger LANGUAGE plpgsql
  -- The planner takes a transition table for one row and groups 100,000 claims by sorting
  -- them; hashing them is several times cheaper.
  SET enable_sort = off
  AS $$
DECLARE
  joined_sent boolean;
BEGIN
  WITH pairs AS (
    SELECT claimed_by AS run_id, recipient_chat_id AS chat_id, min(claimed_at) AS claimed_at,
      count(*)::int AS items
    FROM new_claims
    WHERE sent_at IS NULL AND claimed_by IS NOT NULL AND recipient_chat_id <> 0 AND (payload ? 'line' OR payload ? 'reply')
    GROUP BY 1, 2),
  added AS (
    INSERT INTO reminder_deliveries (run_id, chat_id, claimed_at, items)
    SELECT run_id, chat_id, claimed_at, items FROM pairs
    ON CONFLICT (run_id, chat_id) DO UPDATE SET items = reminder_deliveries.items + excluded.items)
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
