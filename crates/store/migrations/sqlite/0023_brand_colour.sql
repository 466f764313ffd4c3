-- A host's colour (`#rrggbb`, checked by the server for contrast), for links, buttons and
-- the focus ring on its letters' pages. NULL: the site's own.
ALTER TABLE workspace_branding ADD COLUMN colour TEXT;
