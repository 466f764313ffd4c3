-- Organisations that sign as organisations (issue 10).
--
-- A letter names the category organisations sign under (by name; NULL: they cannot sign as
-- organisations). An organisation's signature is a row of `signatures` with kind
-- 'organisation' (the person who signs for it: their sealed name, title and email, its
-- email_hash the keyed hash of the organisation's website domain, so that the letter takes
-- one signature per domain), and a row here: the organisation's public data, and how the
-- signature was verified.
ALTER TABLE letters ADD COLUMN organisation_category TEXT;

CREATE TABLE signature_organisations (
    signature_id     BIGINT PRIMARY KEY REFERENCES signatures(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    website          TEXT NOT NULL,
    domain           TEXT NOT NULL,
    -- 1 when the signer's address is on the website's domain (or a subdomain).
    email_on_domain  BIGINT NOT NULL,
    verified         TEXT CHECK (verified IN ('domain', 'organiser')),
    verified_at      BIGINT,
    verified_by      BIGINT,
    -- The content hash of its logo (hex), when it gave one.
    logo             TEXT
);
