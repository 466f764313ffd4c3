-- Sensitive letters publish private and initials signatures in batches, every this many
-- minutes (NULL: at once). Until its batch, a confirmed signature waits in state
-- 'confirmed', with the salt of its commitment, outside the counts and the log.
ALTER TABLE letters ADD COLUMN batch_minutes INTEGER CHECK (batch_minutes BETWEEN 1 AND 1440);
-- The batch job's question, "which letters hold signatures, since when", without a scan.
CREATE INDEX signatures_held ON signatures(letter_id, confirmed_at) WHERE state = 'confirmed';
