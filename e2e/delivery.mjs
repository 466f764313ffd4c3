// The demo letter is delivered in a real browser: an organiser gives its first target an
// address and delivers it now; the target's email carries the PDF; the public page then
// says when and to whom it was delivered, and serves the document.
//
// BASE_URL: the running server; DATA_DIR: its data folder (emails are files there);
// EMAIL and PASSWORD: the demo organiser's login; SHOTS (optional): a folder for screenshots.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launch, required } from "./browser.mjs";
import { emlFiles } from "./mail.mjs";

const base = required("BASE_URL");
const data = required("DATA_DIR");
const mailDir = join(data, "mail");
const shots = process.env.SHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const office = "office@meridian-league.example";

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/login`);
  await page.locator("#email").fill(required("EMAIL"));
  await page.locator("#password").fill(required("PASSWORD"));
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/admin$/);
  await page.getByRole("link", { name: /Meridian Football League/ }).first().click();
  const letter = new URL(page.url()).pathname;

  // The board answered: its response, with a document, goes on the public timeline.
  await page.getByRole("link", { name: "Asks and responses" }).click();
  await page.waitForURL(/\/asks$/);
  await page.locator("#response-target").selectOption({ index: 1 }); // The Board of Governors
  await page.locator("#response-text").fill("The Board will discuss the letter at its **next meeting**.");
  await page.locator("#response-document").setInputFiles({
    name: "board-reply.pdf",
    mimeType: "application/pdf",
    buffer: Buffer.from("%PDF-1.4\n% a fictional reply\n%%EOF\n"),
  });
  const [recorded] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/responses")),
    page.getByRole("button", { name: "Record the response" }).click(),
  ]);
  assert.equal(recorded.status(), 303, "the response is recorded");
  await page.waitForLoadState();

  await page.goto(`${base}${letter}`);
  await page.getByRole("link", { name: "Delivery and closing date" }).click();
  await page.waitForURL(/\/delivery$/);

  // The first target's address, then deliver now.
  await page.locator("#address_0").fill(office);
  await page.getByRole("button", { name: "Save the addresses" }).click();
  await page.getByText("Saved the delivery addresses.").waitFor();
  const before = emlFiles(mailDir).length;
  await page.getByRole("button", { name: "Deliver" }).click();
  await page.getByText(/Delivering now/).waitFor();

  // The delivery shows up on the organisers' page once done.
  let delivered = false;
  for (let i = 0; i < 100 && !delivered; i++) {
    await page.reload();
    delivered = (await page.locator("table.deliveries td", { hasText: /^delivered/ }).count()) > 0;
    if (!delivered) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(delivered, "the delivery is recorded");
  if (shots) await page.screenshot({ path: join(shots, "delivery-admin.png"), fullPage: true });

  // The target's email, with the PDF attached.
  let eml = null;
  for (let i = 0; i < 200 && !eml; i++) {
    for (const file of emlFiles(mailDir).slice(before)) {
      const raw = readFileSync(join(mailDir, file), "utf8");
      if (raw.includes(office)) eml = raw;
    }
    if (!eml) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(eml, "the target's email was written");
  assert.match(eml, /Content-Type: application\/pdf/i);
  assert.match(eml, /filename="?demo\.pdf/i);

  // The public page tells it, and serves the document.
  await page.goto(`${base}/l/demo`);
  const note = page.locator("p.delivered");
  await note.waitFor();
  assert.match(await note.innerText(), /^Delivered to .+ on .+, with \d+ signatures?\./);
  const href = await note.getByRole("link").getAttribute("href");
  const pdf = await page.request.get(`${base}${href}`);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  assert.ok((await pdf.body()).subarray(0, 5).toString() === "%PDF-");
  // The timeline: the delivery, and the board's response with its document.
  const timeline = page.locator("#timeline");
  await timeline.waitFor();
  const items = timeline.locator("li.timeline-item");
  const delivery = items.filter({ hasText: "Delivered to" });
  assert.equal(await delivery.count(), 1);
  assert.match(await delivery.innerText(), /Delivered to .+With \d+ signatures?/s);
  const response = items.filter({ hasText: "Response from The Board of Governors" });
  assert.equal(await response.count(), 1);
  assert.match(await response.innerText(), /next meeting/);
  const document = await response.getByRole("link", { name: /Download the response/ }).getAttribute("href");
  const reply = await page.request.get(`${base}${document}`);
  assert.equal(reply.status(), 200);
  assert.ok((await reply.body()).subarray(0, 5).toString() === "%PDF-");
  // Signing is closed.
  assert.equal(await page.locator("#sign").count(), 0);
  if (shots) await page.screenshot({ path: join(shots, "delivered-letter.png") });
  console.log("ok: a response was recorded, the letter was delivered with its PDF, and the timeline shows both");
} finally {
  await browser.close();
}
