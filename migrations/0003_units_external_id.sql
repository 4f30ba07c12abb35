ALTER TABLE "units" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "units" ADD CONSTRAINT "units_external_id_uq" UNIQUE("external_id");