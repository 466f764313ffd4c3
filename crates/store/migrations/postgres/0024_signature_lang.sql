-- The language the signer signed in (`en`, `es`, `fr`), so that the emails sent to every
-- signer later (updates, invitations to sign again, re-confirmations) are in their
-- language. In a letter whose signers share an experience, the language one of them used
-- can say something about them: it is personal data, sealed like the other signer fields
-- (see `sealed.rs`, field `lang`) and erased with the address. NULL: signed before
-- languages were stored, or by a path that has none: English (as is a value that does not
-- open).
ALTER TABLE signatures ADD COLUMN lang BYTEA;
