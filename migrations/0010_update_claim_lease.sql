ALTER TABLE "processed_updates" ADD COLUMN "claimed_by" text;--> statement-breakpoint
ALTER TABLE "processed_updates" ADD COLUMN "done_at" timestamp with time zone;--> statement-breakpoint
-- Claimed before this migration: handled (or dropped) then, so done; never taken over.
UPDATE "processed_updates" SET "done_at" = "processed_at";
