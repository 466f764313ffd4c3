// The embed on a partner's site, in a real browser: a page served from another origin
// (localhost, while the app is 127.0.0.1) pastes embed.js; the frame appears with the count,
// takes its height, and its signing form works (the answer opens in a new tab); the share
// prompt follows confirming; axe finds nothing on the embed. Screenshots of the embed on the
// partner's page and of the share card go to SCREENSHOTS_DIR (docs/screenshots by default).
//
// BASE_URL: the running server (http://127.0.0.1:PORT); DATA_DIR: its data folder.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launch, required } from "./browser.mjs";
import { emlFiles, waitForConfirmLink } from "./mail.mjs";

const base = required("BASE_URL");
const mailDir = join(required("DATA_DIR"), "mail");
const here = dirname(fileURLToPath(import.meta.url));
const shots = process.env.SCREENSHOTS_DIR || join(here, "..", "docs", "screenshots");
mkdirSync(shots, { recursive: true });
// axe is evaluated through the DevTools protocol, which the pages' policy does not block.
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const violations = [];
async function axe(page, name) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(axeSource);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    TAGS,
  );
  for (const v of result.violations) {
    violations.push(`${name}: ${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  }
}

// The partner: a fictional community group's page, on another origin.
const partnerPage = (form) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Riverside Supporters' Trust</title>
<style>
  body { margin: 0; font: 17px/1.5 Georgia, serif; background: #f3efe6; color: #222; }
  header { background: #2f5d50; color: #fff; padding: 1rem 2rem; }
  header h1 { margin: 0; font-size: 1.6rem; }
  main { max-width: 44rem; margin: 0 auto; padding: 1rem 2rem 3rem; }
</style></head>
<body>
<header><h1>Riverside Supporters' Trust</h1></header>
<main>
  <h2>Why we back the open letter</h2>
  <p>Our members voted to support the coalition's letter to the league. Read it and add your name below.</p>
  <script src="${base}/embed.js" data-letter="demo"${form ? ' data-form="1"' : ""} async></script>
  <p>Next members' meeting: Thursday at the clubhouse.</p>
</main>
</body>
</html>`;
const partner = createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  res.end(partnerPage(req.url.startsWith("/form")));
});
await new Promise((resolve) => partner.listen(0, "127.0.0.1", resolve));
const partnerUrl = `http://localhost:${partner.address().port}`;
assert.notEqual(new URL(partnerUrl).origin, new URL(base).origin);

const total = async (frame) => Number((await frame.locator('[data-count="total"]').first().innerText()).replace(/\D/g, ""));

// Waits until the frame's height is the height of the page in it (embed-frame.js told it).
async function fitted(page, frame) {
  for (let i = 0; i < 100; i++) {
    const outer = await page.locator("iframe.undersigned-embed").evaluate((el) => el.getBoundingClientRect().height);
    const inner = await frame.locator("html").evaluate((el) => el.getBoundingClientRect().height);
    if (Math.abs(outer - inner) <= 2) return outer;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the frame did not take its content's height");
}

const browser = await launch();
try {
  // A context that keeps every page's policy: framing really is up to the headers.
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();

  // The card: title, count and button, at its own height.
  await page.goto(`${partnerUrl}/`);
  const iframe = page.locator("iframe.undersigned-embed");
  await iframe.waitFor();
  assert.match(await iframe.getAttribute("title"), /Open letter/);
  const frame = page.frameLocator("iframe.undersigned-embed");
  await frame.getByRole("heading", { name: /Meridian Football League/ }).waitFor();
  const before = await total(frame);
  assert.ok(before >= 36, `the embed shows the demo letter's count (${before})`);
  const button = frame.getByRole("link", { name: /Sign this letter/ });
  assert.equal(await button.getAttribute("target"), "_blank");
  const height = await fitted(page, frame);
  assert.ok(height > 100 && height < 600, `the card took its own height (${height}px)`);
  await page.screenshot({ path: join(shots, "embed-on-a-partner-site.png") });

  // The whole form: signing from the frame opens the answer in a new tab.
  await page.goto(`${partnerUrl}/form`);
  const formFrame = page.frameLocator("iframe.undersigned-embed");
  await formFrame.locator("#name").waitFor();
  const tall = await fitted(page, formFrame);
  assert.ok(tall > height, `the form's frame is taller (${tall}px)`);
  const email = `embed-${Date.now()}@example.org`;
  await formFrame.locator("#name").fill("Perrin Embedder");
  await formFrame.locator("#email").fill(email);
  await formFrame.getByRole("radio", { name: "Supporter" }).check();
  await formFrame.getByRole("radio", { name: /In full/ }).check();
  const emailsBefore = emlFiles(mailDir).length;
  const [tab] = await Promise.all([
    context.waitForEvent("page"),
    formFrame.getByRole("button", { name: "Sign the letter" }).click(),
  ]);
  await tab.waitForURL(/\/l\/demo\/check-email/);
  await tab.getByRole("heading", { name: "Check your email" }).waitFor();

  // Confirm from the email; the thank-you page asks to share.
  const link = await waitForConfirmLink(mailDir, emailsBefore);
  await tab.goto(link);
  await tab.getByRole("button", { name: "Confirm my signature" }).click();
  await tab.getByRole("heading", { name: "Thank you" }).waitFor();
  await tab.getByRole("heading", { name: "Ask others to sign" }).waitFor();
  await axe(tab, "thank-you page with the share prompt");
  assert.equal(await tab.locator("#share-link").inputValue(), `${base}/l/demo`);
  const copy = tab.getByRole("button", { name: "Copy link" });
  await copy.waitFor();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  await copy.click();
  await tab.getByText("Link copied.").waitFor();
  assert.match(await tab.getByRole("link", { name: "Share by email" }).getAttribute("href"), /^mailto:\?subject=/);
  const canShare = await tab.evaluate(() => typeof navigator.share === "function");
  assert.equal(await tab.locator("[data-share-native]").isVisible(), canShare, "the share sheet button only where it works");

  // Back on the partner's page, the count has grown.
  await page.goto(`${partnerUrl}/`);
  await page.frameLocator("iframe.undersigned-embed").getByRole("heading", { name: /Meridian Football League/ }).waitFor();
  assert.equal(await total(page.frameLocator("iframe.undersigned-embed")), before + 1);

  // The letter's own page refuses to be framed: only the embed may be.
  const letterFramed = await page.evaluate(async (url) => {
    const f = document.createElement("iframe");
    f.src = url;
    document.body.append(f);
    await new Promise((r) => setTimeout(r, 1000));
    try {
      return f.contentDocument === null ? "blocked" : "cross-origin-loaded";
    } catch {
      return "blocked";
    }
  }, `${base}/l/demo`);
  assert.equal(letterFramed, "blocked");
  const frames = page.frames().map((f) => f.url());
  assert.ok(!frames.some((u) => u === `${base}/l/demo`), `the letter page is not rendered in a frame (${frames})`);

  // The share card, as link previews fetch it.
  const card = await fetch(`${base}/l/demo/card.png`);
  assert.equal(card.status, 200);
  assert.equal(card.headers.get("content-type"), "image/png");
  writeFileSync(join(shots, "share-card.png"), Buffer.from(await card.arrayBuffer()));

  // axe on the embed, both kinds (the thank-you page was checked above).
  const checkPage = await context.newPage();
  for (const path of ["/l/demo/embed", "/l/demo/embed?form=1"]) {
    await checkPage.goto(`${base}${path}`);
    await axe(checkPage, path);
  }
  assert.deepEqual(violations, [], violations.join("\n"));

  console.log(`ok: the embed on ${partnerUrl} shows the count (${before} -> ${before + 1}), fits its content, signs in a new tab; share prompt; axe clean`);
} finally {
  await browser.close();
  partner.close();
}
