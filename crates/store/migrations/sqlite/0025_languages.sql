-- The language of a letter's text (a BCP 47 tag, checked by the server), and its texts in
-- other languages: translations that share the letter's one count and one log. The text in
-- `letters` is the original, the one signatures are counted on and versions are logged for.
ALTER TABLE letters ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';

CREATE TABLE letter_translations (
    letter_id INTEGER NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
    lang TEXT NOT NULL,
    title TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_md TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (letter_id, lang)
);
