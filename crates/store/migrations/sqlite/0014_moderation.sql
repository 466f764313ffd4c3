-- Moderation (issue 10). A letter either publishes signatures when they are confirmed
-- ('publish', as before) or holds them for review ('review'): a confirmed signature then
-- waits in state 'held', with the salt of its commitment, outside the counts and the log,
-- until a moderator approves or rejects it.
ALTER TABLE letters ADD COLUMN moderation TEXT NOT NULL DEFAULT 'publish'
    CHECK (moderation IN ('publish', 'review'));
-- A hidden signature keeps its sealed text until this time, so that the hide can be undone
-- (a new add entry with a fresh opening); the hourly retention job then erases the text and
-- clears it. NULL: nothing to undo (never hidden, or the text is erased).
ALTER TABLE signatures ADD COLUMN undo_until INTEGER;
-- Why a moderator rejected the signature (organisers' words, shown to organisers only).
ALTER TABLE signatures ADD COLUMN moderation_reason TEXT;
-- The queue: held signatures, and hides whose text is waiting to be erased.
CREATE INDEX signatures_review ON signatures(letter_id, created_at DESC, id DESC)
    WHERE state = 'held';
CREATE INDEX signatures_undo ON signatures(undo_until) WHERE undo_until IS NOT NULL;
-- The audit trail per letter: which letter an event is about (NULL for workspace events),
-- and the reason an organiser gave (a rejection's).
ALTER TABLE audit_events ADD COLUMN letter_id INTEGER REFERENCES letters(id);
ALTER TABLE audit_events ADD COLUMN reason TEXT;
CREATE INDEX audit_events_letter ON audit_events(letter_id, id DESC);
