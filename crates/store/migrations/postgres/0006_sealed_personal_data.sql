-- Signers' personal fields and queued emails' recipients and parameters are sealed by the
-- application before they are written (XChaCha20-Poly1305 under a key kept outside the
-- database; see crates/store/src/sealed.rs): they become bytes. Text written before keeps its
-- UTF-8 bytes until the server seals it, at its next start.
ALTER TABLE signatures
    ALTER COLUMN name TYPE BYTEA USING convert_to(name, 'UTF8'),
    ALTER COLUMN title TYPE BYTEA USING convert_to(title, 'UTF8'),
    ALTER COLUMN affiliation TYPE BYTEA USING convert_to(affiliation, 'UTF8'),
    ALTER COLUMN city TYPE BYTEA USING convert_to(city, 'UTF8'),
    ALTER COLUMN country TYPE BYTEA USING convert_to(country, 'UTF8'),
    ALTER COLUMN comment TYPE BYTEA USING convert_to(comment, 'UTF8'),
    ALTER COLUMN email TYPE BYTEA USING convert_to(email, 'UTF8');

ALTER TABLE confirmation_tokens
    ALTER COLUMN name TYPE BYTEA USING convert_to(name, 'UTF8'),
    ALTER COLUMN title TYPE BYTEA USING convert_to(title, 'UTF8'),
    ALTER COLUMN affiliation TYPE BYTEA USING convert_to(affiliation, 'UTF8'),
    ALTER COLUMN city TYPE BYTEA USING convert_to(city, 'UTF8'),
    ALTER COLUMN country TYPE BYTEA USING convert_to(country, 'UTF8'),
    ALTER COLUMN comment TYPE BYTEA USING convert_to(comment, 'UTF8');

ALTER TABLE outbox
    ALTER COLUMN recipient TYPE BYTEA USING convert_to(recipient, 'UTF8'),
    ALTER COLUMN params TYPE BYTEA USING convert_to(params, 'UTF8');
