ALTER TABLE "mailboxes" ADD COLUMN "operator_lock_reason" text;--> statement-breakpoint
-- Hand-written: the IMAP/SMTP refusal of an operator's security lock says it is not lifted by /khoiphuc.
CREATE OR REPLACE VIEW "mailserver_passdb" AS
SELECT lower(m.address) AS username,
  '{ARGON2ID}' || m.password_hash AS password,
  CASE
    WHEN m.status IN ('locked', 'suspended') THEN 'Y'
    WHEN m.must_change_password AND m.temp_password_expires_at < now() THEN 'Y'
  END AS nologin,
  CASE
    WHEN m.status IN ('locked', 'suspended') AND m.operator_lock_reason IS NOT NULL THEN 'Hop thu bi quan tri he thong khoa vi ly do an ninh. Lien he bo phan ho tro; /khoiphuc khong mo duoc.'
    WHEN m.status = 'suspended' THEN 'Hop thu bi dinh chi (khong dang nhap qua thoi han), cho xoa. Gui /khoiphuc qua mailbot.'
    WHEN m.status = 'locked' AND m.lock_reason = 'inactivity' THEN 'Hop thu bi khoa do lau khong su dung. Gui /khoiphuc qua mailbot de mo lai.'
    WHEN m.status = 'locked' AND m.lock_reason = 'first_login_change' THEN 'Hop thu bi khoa vi chua doi mat khau lan dau dung han. Gui /khoiphuc qua mailbot.'
    WHEN m.status = 'locked' THEN 'Hop thu dang bi tam khoa. Lien he bo phan ho tro qua mailbot (/khoiphuc).'
    WHEN m.must_change_password AND m.temp_password_expires_at < now() THEN 'Mat khau tam da het han. Gui /doimk quenmk qua mailbot de cap lai.'
  END AS reason
FROM mailboxes m
WHERE m.status <> 'revoked' AND m.password_hash IS NOT NULL;
