-- How many of each category's counted signers are withheld from the public (display level
-- 'private'), kept beside the count and moved by the same log entries, once per batch: the
-- public page and counts.json read it instead of counting the private signers (a third of a
-- million rows at a million signatures). Its partial index is no longer read and goes.
ALTER TABLE letter_counts ADD COLUMN withheld BIGINT NOT NULL DEFAULT 0;
UPDATE letter_counts SET withheld = (
    SELECT COUNT(*) FROM signatures s
    WHERE s.letter_id = letter_counts.letter_id AND s.category_id = letter_counts.category_id
      AND s.state = 'published' AND s.display_level = 'private'
);
DROP INDEX signatures_withheld;
