// The newcomer's path in a real browser: open the demo letter, sign it, confirm from the
// link in the .eml file, and see the count go up (also on a page left open, through the
// counts refresh).
//
// BASE_URL: the running server; DATA_DIR: its data folder (no SMTP, so emails are files).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, required } from "./browser.mjs";
import { emlFiles as emlIn, waitForConfirmLink } from "./mail.mjs";

const base = required("BASE_URL");
const data = required("DATA_DIR");
const mailDir = join(data, "mail");
const emlFiles = () => emlIn(mailDir);
const waitForNewEmail = (before) => waitForConfirmLink(mailDir, before);

function total(page) {
  return page.locator('.counts [data-count="total"]').innerText().then((t) => Number(t.replace(/,/g, "")));
}

const browser = await launch();
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const watcher = await context.newPage();

  await page.goto(`${base}/l/demo`);
  await watcher.goto(`${base}/l/demo`);
  const before = await total(page);
  assert.ok(before >= 36, `the demo letter has its signatures (${before})`);
  await assert.doesNotReject(page.getByRole("heading", { name: /Meridian Football League/ }).waitFor());

  // Fill the form as a signer would.
  const email = `e2e-${Date.now()}@example.org`;
  await page.locator("#name").fill("Morwenna Test-Signer");
  await page.locator("#email").fill(email);
  await page.locator("#city").fill("Tampere");
  await page.getByRole("radio", { name: "Supporter" }).check();
  await page.getByRole("radio", { name: /In full/ }).check();
  const emailsBefore = emlFiles().length;
  await page.getByRole("button", { name: "Sign the letter" }).click();
  await page.waitForURL(/\/l\/demo\/check-email/);
  await page.getByRole("heading", { name: "Check your email" }).waitFor();

  // Not counted before confirming.
  await page.goto(`${base}/l/demo`);
  assert.equal(await total(page), before);

  // The emailed link opens a page; the button confirms.
  const link = await waitForNewEmail(emailsBefore);
  await page.goto(link);
  assert.equal(await page.locator('[data-count="total"]').count(), 0, "the confirm page is not the letter");
  await page.getByRole("button", { name: "Confirm my signature" }).click();
  await page.getByRole("heading", { name: "Thank you" }).waitFor();

  // The receipt downloads from the thank-you page, as a tlog-proof.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download your receipt" }).click(),
  ]);
  const receiptPath = await download.path();
  const receipt = readFileSync(receiptPath, "utf8");
  assert.ok(receipt.startsWith("c2sp.org/tlog-proof@v1\n"), `a receipt: ${receipt.slice(0, 80)}`);
  assert.match(receipt, /\n\n[^\n]+\/l\/demo\n\d+\n/, "with the letter's checkpoint");

  // Counted and listed, and the log has grown by one entry.
  await page.goto(`${base}/l/demo`);
  assert.equal(await total(page), before + 1);
  const logSize = Number(await page.locator('.counts [data-count="total"]').getAttribute("data-log-size"));
  assert.ok(logSize >= before + 1, `the log holds every counted signature (${logSize})`);
  await page.getByRole("heading", { name: "Check the count yourself" }).waitFor();
  await page.getByText("Morwenna Test-Signer").waitFor();

  // The page left open refreshes its count through counts.json (every 10 seconds).
  // Both places that show the total refresh: the one at the top and the one above the form.
  await watcher.locator('.counts [data-count="total"]').filter({ hasText: String(before + 1) }).waitFor({ timeout: 15000 });
  await watcher.locator('.cta [data-count="total"]').filter({ hasText: String(before + 1) }).waitFor({ timeout: 1000 });

  // A second signature with the same address is not counted twice.
  await page.locator("#name").fill("Morwenna Test-Signer");
  await page.locator("#email").fill(email.toUpperCase());
  await page.getByRole("radio", { name: "Supporter" }).check();
  await page.getByRole("radio", { name: /In full/ }).check();
  await page.getByRole("button", { name: "Sign the letter" }).click();
  await page.waitForURL(/\/l\/demo\/check-email/);
  await page.goto(`${base}/l/demo`);
  assert.equal(await total(page), before + 1);

  console.log(`ok: signed and confirmed in Chromium; count ${before} -> ${before + 1}`);
} finally {
  await browser.close();
}
