// The emails a server without SMTP writes as .eml files into DATA_DIR/mail, as the browser
// tests read them.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export function emlFiles(mailDir) {
  try {
    return readdirSync(mailDir).filter((f) => f.endsWith(".eml")).sort();
  } catch {
    return [];
  }
}

/// Waits for an email beyond the first `before`, and returns the confirmation link in it.
export async function waitForConfirmLink(mailDir, before) {
  for (let i = 0; i < 200; i++) {
    const files = emlFiles(mailDir);
    if (files.length > before) {
      // Undo quoted-printable soft line breaks before looking for the link.
      const raw = readFileSync(join(mailDir, files[files.length - 1]), "utf8").replace(/=\r?\n/g, "");
      // 43 characters for a link from before ordered links, 44 since.
      const link = raw.match(/https?:\/\/\S+\/confirm\/[A-Za-z0-9_-]{43,44}(?![A-Za-z0-9_-])/);
      assert.ok(link, "the email holds a confirmation link");
      return link[0];
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("no email was written to " + mailDir);
}
