// An organisation signs the demo letter in a real browser, with its logo, from an address
// that is not on its website's domain; an organiser logs in and verifies it; it appears in
// the letter's grid of organisations with its logo and the verified mark.
//
// BASE_URL: the running server; DATA_DIR: its data folder (emails are files there);
// EMAIL and PASSWORD: the demo organiser's login; SHOTS (optional): a folder for screenshots.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { launch, required } from "./browser.mjs";
import { emlFiles, waitForConfirmLink } from "./mail.mjs";

const base = required("BASE_URL");
const data = required("DATA_DIR");
const mailDir = join(data, "mail");
const shots = process.env.SHOTS;
if (shots) mkdirSync(shots, { recursive: true });

// A PNG of a dark square with a light one inside, written by hand (CRC-32 and zlib).
function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function chunk(type, body) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, "ascii");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}
function logoPng(size = 120) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const inner = Math.abs(x - size / 2) < size / 4 && Math.abs(y - size / 2) < size / 4;
      row.set(inner ? [0xf4, 0xc4, 0x30] : [0x12, 0x3a, 0x5c], 1 + x * 3);
    }
    rows.push(row);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const organisation = "Lantern Street Youth Club";
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });

  // The letter offers the organisations' form on a page of its own.
  await page.goto(`${base}/l/demo`);
  await page.getByRole("link", { name: "Use the form for organisations" }).click();
  await page.waitForURL(/as=organisation/);
  // People's categories are not offered to organisations, and vice versa.
  assert.equal(await page.getByRole("radio", { name: "Organisation" }).count(), 0);

  const logo = join(data, "lantern-logo.png");
  writeFileSync(logo, logoPng());
  await page.locator("#organisation").fill(organisation);
  await page.locator("#website").fill("https://www.lantern-street.example/");
  await page.locator("#logo").setInputFiles(logo);
  await page.locator("#name").fill("Pim Calloway");
  await page.locator("#title").fill("Coordinator");
  // A free-mail style address, not on the website's domain: an organiser must verify it.
  await page.locator("#email").fill(`pim-${Date.now()}@mail.example`);
  await page.getByLabel(/authorised to sign for this organisation/).check();
  const before = emlFiles(mailDir).length;
  await page.getByRole("button", { name: "Sign for the organisation" }).click();
  await page.waitForURL(/\/l\/demo\/check-email/);

  const link = await waitForConfirmLink(mailDir, before);
  await page.goto(link);
  await page.getByRole("button", { name: "Confirm my signature" }).click();
  await page.getByText(/checks that you may sign/).waitFor();

  // Held: not on the letter yet.
  await page.goto(`${base}/l/demo`);
  assert.equal(await page.locator(".org-grid").getByText(organisation).count(), 0, "held, not shown");

  // The organiser sees the evidence and verifies it.
  await page.goto(`${base}/login`);
  await page.locator("#email").fill(required("EMAIL"));
  await page.locator("#password").fill(required("PASSWORD"));
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/admin$/);
  await page.getByRole("link", { name: /Meridian Football League/ }).first().click();
  await page.getByRole("link", { name: "Organisations" }).click();
  const row = page.locator("tr", { hasText: organisation });
  await row.getByText("mail.example").first().waitFor();
  await row.getByText("lantern-street.example").first().waitFor();
  if (shots) await page.screenshot({ path: join(shots, "organisations-to-verify.png"), fullPage: true });
  await row.getByRole("button", { name: "Verify" }).click();
  await page.getByText(/Verified: the organisation's signature is published/).waitFor();

  // It is in the grid, with its logo (served and decoded) and the verified mark.
  await page.goto(`${base}/l/demo`);
  const card = page.locator(".org-grid li", { hasText: organisation });
  await card.waitFor();
  await card.getByText("✓ verified").waitFor();
  await card.getByText("Signed by Pim Calloway, Coordinator").waitFor();
  const img = card.locator("img.org-logo");
  await img.scrollIntoViewIfNeeded();
  await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
  const src = await img.getAttribute("src");
  assert.match(src, /^\/logos\/[0-9a-f]{64}\.png$/);
  // Not among the people.
  assert.equal(await page.locator("ol.signers").getByText(organisation).count(), 0);

  // Pinned by the organiser, it leads the grid.
  await page.goto(`${base}/admin`);
  await page.getByRole("link", { name: /Meridian Football League/ }).first().click();
  await page.getByRole("link", { name: "Organisations" }).click();
  await page.locator("tr", { hasText: organisation }).getByRole("button", { name: "Pin first" }).click();
  await page.getByText(/Pinned: it now comes first/).waitFor();
  await page.goto(`${base}/l/demo`);
  const first = page.locator(".org-grid li").first();
  assert.match(await first.innerText(), new RegExp(organisation));
  if (shots) {
    await page.locator("#organisations").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, "organisation-grid.png"), fullPage: true });
  }
  console.log("ok: an organisation signed with its logo, was verified and pinned, and leads the grid");
} finally {
  await browser.close();
}
