// The journeys of a coalition on a fresh instance, in a real browser, as its people take them:
// setting up the instance from the one-time link, writing and publishing a letter whose
// survivors may appear by initials or not at all and whose signatures a moderator reviews,
// signing at each display level, confirming, moderating (approve and reject),
// withdrawing, and re-targeting (a copy to another target, its invitation, the family page). axe runs on every page at both sizes, and each step saves a screenshot.
//
// BASE_URL: a fresh server (no demo); SETUP_URL: the setup link it printed; DATA_DIR: its data
// folder (emails are .eml files there); SHOTS (optional): a folder for the screenshots.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checker } from "./axe.mjs";
import { launch, required } from "./browser.mjs";
import { emlFiles, waitForConfirmLink } from "./mail.mjs";

const base = required("BASE_URL");
const setupUrl = required("SETUP_URL");
const mailDir = join(required("DATA_DIR"), "mail");
const { check, checkErrors, report, pages } = checker(base, process.env.SHOTS);

const owner = { email: "coordinator@harbourside-coalition.example", password: "correct horse battery staple" };
const signers = {
  full: { name: "Wilhelmina Quarrender", email: "wq@example.org", category: "Supporter", display: /In full/ },
  initials: { name: "Rosalind Quill", email: "rq@example.org", category: "Survivor", display: /As initials/ },
  private: { name: "Perpetua Hollowell", email: "ph@example.org", category: "Survivor", display: /Not at all/ },
  rejected: { name: "Spammy McSpamface", email: "spam@example.org", category: "Supporter", display: /In full/ },
};

function total(page) {
  return page
    .locator('.counts [data-count="total"]')
    .first()
    .innerText()
    .then((t) => Number(t.replace(/,/g, "")));
}

const browser = await launch();
try {
  // bypassCSP: axe is injected as an inline script, which the pages' policy (rightly) refuses.
  const organiser = await browser.newContext({ bypassCSP: true });
  const admin = await organiser.newPage();

  // Setup: the one-time link, a form sent with nothing, then the first workspace and owner.
  await admin.goto(setupUrl);
  await check(admin, "journey-setup");
  await admin.getByRole("button", { name: "Create workspace" }).click();
  await checkErrors(admin, "journey-setup-errors");
  await admin.locator("#workspace").fill("Harbourside Safeguarding Coalition");
  await admin.locator("#name").fill("Ines Coordinator");
  await admin.locator("#email").fill(owner.email);
  await admin.locator("#password").fill(owner.password);
  await admin.locator("#password_again").fill(owner.password);
  await admin.getByRole("button", { name: "Create workspace" }).click();
  await admin.waitForURL(/\/admin/);
  await check(admin, "journey-first-dashboard");
  // The link works once.
  const again = await admin.goto(setupUrl);
  assert.ok(again.status() >= 400, `a used setup link is refused (${again.status()})`);

  // Authoring: a draft with three categories, then survivors limited to initials or
  // private, and every signature held for review.
  await admin.goto(`${base}/admin/letters/new`);
  await admin.locator("#title").fill("An independent review of safeguarding at Harbourside Rowing Club");
  await admin.locator("#slug").fill("harbourside-review");
  await admin.locator("#subject").fill("RE: An independent safeguarding review");
  await admin.locator("#targets").fill("Board of Harbourside Rowing Club | Chair | Harbourside Rowing Club");
  await admin
    .locator("#body")
    .fill("To the Board,\n\nWe ask you to commission an **independent review** of safeguarding at the club.\n\n- Publish its terms of reference.\n- Publish its findings.");
  await admin.locator("#categories").fill("Organisation\nSurvivor\nSupporter");
  await admin.getByLabel(/Hold it for review/).check();
  await admin.getByRole("button", { name: "Save draft" }).click();
  await admin.waitForURL(/\/admin\/letters\/\d+$/);
  const letter = new URL(admin.url()).pathname;
  await check(admin, "journey-draft");
  await admin.goto(`${base}${letter}/edit`);
  await admin.getByLabel("Survivor: in full").uncheck();
  await admin.getByLabel("Survivor: city may be shown").uncheck();
  await check(admin, "journey-edit");
  await admin.getByRole("button", { name: "Save draft" }).click();
  await admin.waitForURL(new RegExp(`${letter}\\?done=saved$`));
  await admin.getByRole("button", { name: "Publish" }).click();
  await admin.waitForURL(new RegExp(`${letter}\\?done=published$`));
  await admin.getByRole("link", { name: "Public page" }).waitFor();
  await check(admin, "journey-published");

  // Signing at each display level, in a browser with no organiser session.
  const public_ = await browser.newContext({ bypassCSP: true });
  const page = await public_.newPage();
  await page.goto(`${base}/l/harbourside-review`);
  await check(page, "journey-letter");
  assert.equal(await total(page), 0);
  const links = {};
  for (const [level, s] of Object.entries(signers)) {
    await page.goto(`${base}/l/harbourside-review`);
    await page.locator("#name").fill(s.name);
    await page.locator("#email").fill(s.email);
    await page.getByRole("radio", { name: s.category }).check();
    if (s.category === "Survivor") {
      // The form offers survivors only what the organisers allow.
      assert.ok(await page.getByRole("radio", { name: /In full/ }).isDisabled(), "survivors cannot be shown in full");
    }
    await page.getByRole("radio", { name: s.display }).check();
    // One survivor asks for news: she is who a re-targeted letter invites later.
    if (level === "initials") await page.getByLabel("Email me updates about this letter").check();
    const before = emlFiles(mailDir).length;
    await page.getByRole("button", { name: "Sign the letter" }).click();
    await page.waitForURL(/\/check-email/);
    if (level === "full") await check(page, "journey-check-email");
    links[level] = await waitForConfirmLink(mailDir, before);
    await page.goto(links[level]);
    if (level === "full") await check(page, "journey-confirm");
    await page.getByRole("button", { name: "Confirm my signature" }).click();
    // Held for review: not counted yet.
    await page.getByRole("heading").first().waitFor();
    if (level === "full") await check(page, "journey-held");
  }
  await page.goto(`${base}/l/harbourside-review`);
  assert.equal(await total(page), 0, "held signatures are not counted before review");

  // Moderating: approve three, reject the spam with a reason.
  await admin.goto(`${base}${letter}/signatures?state=held`);
  await check(admin, "journey-queue");
  for (const s of [signers.full, signers.initials, signers.private]) {
    const row = admin.locator("tr", { hasText: s.email }).first();
    await row.getByRole("button", { name: "Approve" }).click();
    await admin.waitForLoadState();
  }
  await admin.goto(`${base}${letter}/signatures?state=held`);
  const spam = admin.locator("tr", { hasText: signers.rejected.email }).first();
  await admin.goto(new URL(await spam.getByRole("link", { name: "Reject" }).getAttribute("href"), base).href);
  await check(admin, "journey-reject");
  await admin.locator("textarea, input[name='reason']").first().fill("Not a genuine signature.");
  await admin.getByRole("main").getByRole("button", { name: /Reject/ }).click();
  await admin.waitForLoadState();

  // What the public sees: the full name, the initials, never the private signer's name or
  // the rejected one, and the three counted.
  await page.goto(`${base}/l/harbourside-review`);
  await check(page, "journey-letter-signed");
  const text = await page.locator("main").innerText();
  assert.ok(text.includes(signers.full.name), "a signer in full is shown by name");
  assert.ok(text.includes("R. Q."), "a signer by initials is shown by initials");
  assert.ok(!text.includes(signers.initials.name), "the initials signer's name is not shown");
  assert.ok(!text.includes(signers.private.name), "a private signer is never shown");
  assert.ok(!text.includes(signers.rejected.name), "a rejected signature is not shown");
  assert.equal(await total(page), 3, "the three approved signatures are counted");

  // Withdrawing: the signer's link (from the confirmation email) leads to their page.
  await page.goto(links.full.replace(/\/confirm\//, "/confirm/"));
  await check(page, "journey-manage");
  await page.goto(`${new URL(links.full).pathname}/withdraw`.replace(/^/, base));
  await check(page, "journey-withdraw");
  await page.getByRole("button", { name: "Withdraw my signature" }).click();
  await page.waitForLoadState();
  await check(page, "journey-withdrawn");
  await page.goto(`${base}/l/harbourside-review`);
  assert.equal(await total(page), 2, "a withdrawn signature is no longer counted");
  assert.ok(!(await page.locator("main").innerText()).includes(signers.full.name), "nor shown");

  // Re-targeting: the letter goes to another target as a copy in the same family; its
  // organiser invites the past signers who asked for news, and the survivor adds her
  // signature from the invitation's page, still by initials.
  await admin.goto(`${base}${letter}`);
  await admin.getByRole("button", { name: "Send this letter to another target" }).click();
  await admin.waitForURL(/\/admin\/letters\/\d+\/edit$/);
  await admin.locator("#targets").fill("Ottilie Brackenridge | Minister for Sport | Harbourside Council");
  await admin.getByRole("button", { name: "Save draft" }).click();
  await admin.waitForURL(/\/admin\/letters\/\d+\?done=saved$/);
  const copy = new URL(admin.url()).pathname;
  await admin.getByRole("button", { name: "Publish" }).click();
  await admin.waitForLoadState();
  const invitedBefore = emlFiles(mailDir).length;
  await admin.getByRole("button", { name: "Invite past signers" }).click();
  await admin.waitForURL(/done=inviting/);
  assert.ok((await admin.locator(".notice").innerText()).includes("Inviting past signers"), "the press answers at once");
  await check(admin, "journey-invited");
  let invitation = null;
  for (let i = 0; i < 200 && !invitation; i++) {
    for (const f of emlFiles(mailDir).slice(invitedBefore)) {
      const raw = readFileSync(join(mailDir, f), "utf8").replace(/=\r?\n/g, "");
      const link = raw.match(/https?:\/\/\S+\/i\/[A-Za-z0-9_-]{43}/);
      if (link) invitation = link[0];
    }
    if (!invitation) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(invitation, "the survivor who asked for news is invited");
  await admin.reload();
  assert.match(await admin.locator("#family").innerText(), /past signers? invited \(done\)/, "the run is listed, done");
  await page.goto(invitation);
  await check(page, "journey-invitation");
  assert.ok(await page.getByRole("radio", { name: /As initials/ }).isChecked(), "her earlier choice is kept");
  await page.getByRole("button", { name: "Add my signature" }).click();
  await page.waitForLoadState();
  await check(page, "journey-invitation-added");
  assert.ok((await page.locator("h1").innerText()).includes("your signature is added"), "the signature is added");
  const family = await admin.getByRole("link", { name: "Every target, with its state and response" }).getAttribute("href");
  await page.goto(`${base}${family}`);
  await check(page, "journey-family");
  const members = await page.locator("main").innerText();
  assert.ok(members.includes("Ottilie Brackenridge"), "the family page lists the new target");
  void copy;
} finally {
  await browser.close();
}

if (!report()) process.exit(1);
console.log(`ok: journeys (setup, authoring, signing at each level, moderating, withdrawing, re-targeting), ${pages()} pages axe-clean at both sizes`);
