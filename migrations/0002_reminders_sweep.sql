ALTER TABLE "mailboxes" ADD COLUMN "activity_reported_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "reminder_claims" ADD COLUMN "payload" jsonb;--> statement-breakpoint
CREATE INDEX "mailboxes_send_lock_at_idx" ON "mailboxes" USING btree ("send_lock_at") WHERE "mailboxes"."send_lock_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "mailboxes_revoke_at_idx" ON "mailboxes" USING btree ("revoke_at") WHERE "mailboxes"."revoke_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "mailboxes_remove_after_idx" ON "mailboxes" USING btree ("remove_after") WHERE "mailboxes"."remove_after" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "mailboxes_status_password_changed_idx" ON "mailboxes" USING btree ("status","password_changed_at");--> statement-breakpoint
CREATE INDEX "mailboxes_must_change_idx" ON "mailboxes" USING btree ("created_at") WHERE "mailboxes"."must_change_password";--> statement-breakpoint
CREATE INDEX "mailboxes_storage_used_idx" ON "mailboxes" USING btree ("storage_used_mb") WHERE "mailboxes"."storage_used_mb" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "mailboxes_profile_kind_status_idx" ON "mailboxes" USING btree ("profile_id","kind","status");--> statement-breakpoint
CREATE INDEX "reminder_claims_rule_target_idx" ON "reminder_claims" USING btree ("rule","target");