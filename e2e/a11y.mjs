// Accessibility: opens every public and organiser page (forms also as they come back with
// errors) at 1280×900 and at 390×844, runs axe-core on each with the WCAG 2.0, 2.1 and 2.2
// A and AA rules, and fails listing every violation. Also checks by hand what axe cannot:
// every page starts with a skip link to its main content.
//
// BASE_URL: the running server; DATA_DIR: its data folder (emails are files there);
// EMAIL and PASSWORD: the demo organiser's login; SHOTS (optional): a folder for screenshots.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { launch, required } from "./browser.mjs";
import { emlFiles, waitForConfirmLink } from "./mail.mjs";

const base = required("BASE_URL");
const data = required("DATA_DIR");
const mailDir = join(data, "mail");
const shots = process.env.SHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const SIZES = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "phone", width: 390, height: 844 },
];

const violations = [];
let checked = 0;

// A failure found by hand, listed with axe's.
function problem(page, name, rule, help) {
  violations.push({ page: name, size: "any", url: page.url().replace(base, ""), rule, impact: "serious", help, nodes: [] });
}

// Runs axe on the page as it is now, at both sizes; `name` says which page it is.
async function check(page, name) {
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    if (!(await page.evaluate(() => typeof window.axe === "object"))) {
      await page.addScriptTag({ path: axePath });
    }
    const result = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
      TAGS,
    );
    for (const v of result.violations) {
      violations.push({
        page: name,
        size: size.name,
        url: page.url().replace(base, ""),
        rule: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary.replace(/\s+/g, " ")}`),
      });
    }
    if (shots) {
      await page.screenshot({ path: join(shots, `${name}-${size.name}.png`), fullPage: true });
    }
  }
  await page.setViewportSize({ width: SIZES[0].width, height: SIZES[0].height });
  // A skip link first, leading to the page's main landmark.
  const skip = page.locator("body a").first();
  if ((await skip.getAttribute("href")) !== "#main" || (await page.locator("main#main").count()) !== 1) {
    problem(page, name, "skip-link", "The first link skips to the main content (main#main)");
  }
  checked++;
}

async function visit(page, path, name) {
  const response = await page.goto(`${base}${path}`);
  assert.ok(response && response.status() < 500, `${name}: ${path} answers (${response && response.status()})`);
  await check(page, name);
}

// A form sent back with errors: its summary is at the top, announced, and each of its links
// leads to a field that says it is invalid and is described by its message.
async function checkErrors(page, name) {
  await page.waitForLoadState();
  const summary = page.locator(".error-summary");
  if ((await summary.count()) !== 1) problem(page, name, "error-summary", "A form that fails has one summary of its errors");
  const links = summary.locator("a[href^='#']");
  if ((await links.count()) === 0) problem(page, name, "error-summary", "The error summary links to the fields");
  for (const href of await links.evaluateAll((as) => as.map((a) => a.getAttribute("href")))) {
    const field = page.locator(href);
    if ((await field.count()) !== 1) {
      problem(page, name, "error-summary", `The summary's link ${href} leads to one field`);
      continue;
    }
    if ((await field.getAttribute("aria-invalid")) !== "true") {
      problem(page, name, "aria-invalid", `${href} is marked aria-invalid="true"`);
    }
    const described = (await field.getAttribute("aria-describedby")) || "";
    const messages = await Promise.all(
      described.split(/\s+/).filter(Boolean).map((id) => page.locator(`#${id}`).innerText()),
    );
    if (!messages.some((m) => m.trim().length > 0)) {
      problem(page, name, "aria-describedby", `${href} is described by its error message`);
    }
  }
  await check(page, name);
}

const browser = await launch();
try {
  // bypassCSP: axe is injected as an inline script, which the pages' policy (rightly) refuses.
  const context = await browser.newContext({ bypassCSP: true, viewport: SIZES[0] });
  const page = await context.newPage();

  // Public pages.
  await visit(page, "/", "home");
  await visit(page, "/l/demo", "letter");
  await page.getByRole("button", { name: "Sign the letter" }).click();
  await checkErrors(page, "sign-errors");
  await visit(page, "/l/demo?as=organisation", "sign-organisation");
  await page.getByRole("button", { name: "Sign for the organisation" }).click();
  await checkErrors(page, "sign-organisation-errors");
  await visit(page, "/l/demo/link", "lost-link");
  await page.locator("#lost-email").fill("not an address");
  await page.getByRole("button", { name: "Send me a link" }).click();
  await checkErrors(page, "lost-link-errors");
  await visit(page, "/l/no-such-letter", "not-found");
  await visit(page, "/l/demo/privacy", "privacy");

  // Signing, confirming, managing, withdrawing.
  await page.goto(`${base}/l/demo`);
  await page.locator("#name").fill("Ottoline Axe-Checker");
  await page.locator("#email").fill(`a11y-${Date.now()}@example.org`);
  await page.getByRole("radio", { name: "Supporter" }).check();
  await page.getByRole("radio", { name: /In full/ }).check();
  const before = emlFiles(mailDir).length;
  await page.getByRole("button", { name: "Sign the letter" }).click();
  await page.waitForURL(/\/l\/demo\/check-email/);
  await check(page, "check-email");
  const link = await waitForConfirmLink(mailDir, before);
  await page.goto(link);
  await check(page, "confirm");
  await page.getByRole("button", { name: "Confirm my signature" }).click();
  await page.getByRole("heading", { name: "Thank you" }).waitFor();
  await check(page, "confirmed");
  await visit(page, new URL(link).pathname, "manage");
  await visit(page, `${new URL(link).pathname}/withdraw`, "withdraw");

  // Logging in.
  await visit(page, "/login", "login");
  await page.locator("#email").fill(required("EMAIL"));
  await page.locator("#password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  await checkErrors(page, "login-errors");
  await visit(page, "/login/forgot", "forgot");
  await page.goto(`${base}/login`);
  await page.locator("#email").fill(required("EMAIL"));
  await page.locator("#password").fill(required("PASSWORD"));
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/admin$/);

  // Organiser pages.
  await check(page, "admin-dashboard");
  const team = await page.getByRole("link", { name: "Team and invitations" }).first().getAttribute("href");
  const workspace = team.replace(/\/team$/, "");
  await page.getByRole("link", { name: /Meridian Football League/ }).first().click();
  await page.waitForURL(/\/admin\/letters\/\d+$/);
  const letter = new URL(page.url()).pathname;
  await check(page, "admin-letter");
  await visit(page, `${letter}/preview`, "admin-preview");
  await visit(page, `${letter}/signatures`, "admin-signatures");
  const hide = await page.getByRole("link", { name: "Hide" }).first().getAttribute("href");
  const reject = await page.getByRole("link", { name: "Reject" }).first().getAttribute("href");
  await visit(page, hide, "admin-hide");
  // Rejecting needs a reason: sent without one, the form comes back with its error.
  await visit(page, reject, "admin-reject");
  await page.getByRole("main").getByRole("button", { name: /Reject/ }).click();
  await checkErrors(page, "admin-reject-errors");
  await visit(page, `${letter}/signatures?state=held`, "admin-queue");
  await visit(page, `${letter}/signatures?q=Ottoline`, "admin-search");
  await page.goto(`${base}${letter}/signatures`);
  await page.getByRole("button", { name: "Hide…" }).click();
  await check(page, "admin-bulk");
  await visit(page, `${letter}/organisations`, "admin-organisations");
  await visit(page, `${letter}/audit`, "admin-audit");
  await visit(page, `${letter}/asks`, "admin-asks");
  await page.getByRole("button", { name: "Record the response" }).click();
  await checkErrors(page, "admin-response-errors");
  await visit(page, `${letter}/updates`, "admin-updates");
  await page.getByRole("button", { name: /Post/ }).first().click();
  await checkErrors(page, "admin-update-errors");
  await visit(page, `${letter}/delivery`, "admin-delivery");
  // A scheduled delivery without its time comes back with the error at the field.
  await page.getByLabel("At this time (UTC):").check();
  await page.getByRole("button", { name: "Deliver" }).click();
  await checkErrors(page, "admin-delivery-errors");
  await visit(page, "/admin/letters/new", "admin-letter-new");
  await page.getByRole("button", { name: "Save draft" }).click();
  await checkErrors(page, "admin-letter-new-errors");
  await visit(page, team, "admin-team");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await checkErrors(page, "admin-team-errors");
  await visit(page, workspace, "admin-workspace");
  await visit(page, "/admin/account", "admin-account");
  await page.getByRole("button", { name: "Change password" }).click();
  await checkErrors(page, "admin-account-errors");
} finally {
  await browser.close();
}

if (violations.length) {
  for (const v of violations) {
    console.error(`\n[${v.impact}] ${v.page} (${v.size}, ${v.url}): ${v.rule}: ${v.help}`);
    for (const n of v.nodes) console.error(`  - ${n}`);
  }
  console.error(`\n${violations.length} accessibility violation(s) on ${checked} pages`);
  process.exit(1);
}
console.log(`ok: ${checked} pages, each at 1280×900 and 390×844, with no axe violation (${TAGS.join(", ")})`);
