-- How many of each category's counted signers signed a version older than the letter's last
-- change of substance and have not re-confirmed, kept beside the count: set to the count at
-- such a change (every counted signer then awaits), moved by the log entries of each batch
-- and by each re-confirmation. The counts read it instead of counting those signers (all of
-- them, at a million, right after the change).
ALTER TABLE letter_counts ADD COLUMN awaiting INTEGER NOT NULL DEFAULT 0;
UPDATE letter_counts SET awaiting = (
    SELECT COUNT(*) FROM signatures s JOIN letters l ON l.id = s.letter_id
    WHERE s.letter_id = letter_counts.letter_id AND s.category_id = letter_counts.category_id
      AND s.state = 'published' AND COALESCE(s.version, 1) < l.reconfirm_from
)
WHERE letter_id IN (SELECT id FROM letters WHERE reconfirm_from > 1);
