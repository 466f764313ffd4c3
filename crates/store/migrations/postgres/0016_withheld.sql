-- The public page says how many signers of each category are withheld ("and 19 survivors
-- whose names are withheld"): counted from the private published signatures alone.
CREATE INDEX signatures_withheld ON signatures(letter_id, category_id)
    WHERE state = 'published' AND display_level = 'private';
