-- Custom migration: invariants drizzle-kit cannot express (triggers). PGlite runs one statement
-- per query, so every statement is followed by a statement breakpoint.

-- 1. audit_log is append-only: PostgreSQL itself refuses UPDATE, DELETE and TRUNCATE, whatever
--    the application code does. (A superuser can still drop the triggers: this guards against
--    the application, not against the database owner.)
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused (nhật ký kiểm toán chỉ được ghi thêm, không được sửa, xóa)', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Record a new audit entry instead of changing an old one.';
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update_delete
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint

-- 2. address_claims mirrors every mailbox address and every reservation, so its one unique index
--    on lower(address) makes an address belong to at most one holder across both tables. The
--    triggers run in the inserting transaction: a concurrent claim of the same address waits on
--    the index entry and then fails with unique_violation (23505, address_claims_address_lower_uq).
--    Deleting a mailbox or reservation deletes its claim through ON DELETE CASCADE.
CREATE FUNCTION mailboxes_claim_address() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO address_claims (address, mailbox_id) VALUES (NEW.address, NEW.id);
  ELSIF NEW.address IS DISTINCT FROM OLD.address THEN
    UPDATE address_claims SET address = NEW.address WHERE mailbox_id = NEW.id;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER mailboxes_claim_address
  AFTER INSERT OR UPDATE OF address ON mailboxes
  FOR EACH ROW EXECUTE FUNCTION mailboxes_claim_address();
--> statement-breakpoint
CREATE FUNCTION address_reservations_claim_address() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO address_claims (address, reservation_id) VALUES (NEW.address, NEW.id);
  ELSIF NEW.address IS DISTINCT FROM OLD.address THEN
    UPDATE address_claims SET address = NEW.address WHERE reservation_id = NEW.id;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER address_reservations_claim_address
  AFTER INSERT OR UPDATE OF address ON address_reservations
  FOR EACH ROW EXECUTE FUNCTION address_reservations_claim_address();
--> statement-breakpoint

-- 3. Only open requests hold addresses: when a request is approved, rejected or cancelled its
--    reservation is released in the same statement, so a forgotten cleanup cannot block an
--    address forever. (Approving a capmoi: close the request, then insert the mailbox.)
CREATE FUNCTION requests_release_reservation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM address_reservations WHERE request_id = NEW.id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER requests_release_reservation
  AFTER UPDATE OF state ON requests
  FOR EACH ROW
  WHEN (NEW.state IN ('approved', 'rejected', 'cancelled') AND OLD.state IS DISTINCT FROM NEW.state)
  EXECUTE FUNCTION requests_release_reservation();
