-- Organisers pin organisations to the head of a letter's grid of organisations (issue 10):
-- pinned ones come first, then verified ones, then the rest (each group in the order they
-- signed).
ALTER TABLE signature_organisations ADD COLUMN pinned_at BIGINT;
