-- The language the signer signed in (`en`, `es`, `fr`), so that the emails sent to every
-- signer later (updates, invitations to sign again, re-confirmations) are in their
-- language. NULL: signed before languages were stored, or by a path that has none: English.
ALTER TABLE signatures ADD COLUMN lang TEXT;
