-- Display rules per category, and whether a signer's city is shown (issue 9, finding 6).

-- Which display levels a category's signers may choose (their names, separated by spaces),
-- and whether their city may be shown at all. Categories made before this migration allow
-- everything, as they did.
ALTER TABLE letter_categories ADD COLUMN display_levels TEXT NOT NULL DEFAULT 'public initials private'
    CHECK (display_levels <> '');
ALTER TABLE letter_categories ADD COLUMN city_shown INTEGER NOT NULL DEFAULT 1
    CHECK (city_shown IN (0, 1));

-- Whether the public sees the signer's city: the category allows it and, for initials, the
-- signer ticked "show my city". Not shown unless written so; the signatures and links made
-- before this migration keep showing it, as their log entries and their signers were told.
ALTER TABLE signatures ADD COLUMN show_city INTEGER NOT NULL DEFAULT 0 CHECK (show_city IN (0, 1));
UPDATE signatures SET show_city = 1;
ALTER TABLE confirmation_tokens ADD COLUMN show_city INTEGER NOT NULL DEFAULT 0
    CHECK (show_city IN (0, 1));
UPDATE confirmation_tokens SET show_city = 1;
