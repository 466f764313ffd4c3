// Accessibility: opens every public and organiser page (forms also as they come back with
// errors) at 1280×900 and at 390×844, runs axe-core on each with the WCAG 2.0, 2.1 and 2.2
// A and AA rules, and fails listing every violation. Also checks by hand what axe cannot:
// every page starts with a skip link to its main content.
//
// BASE_URL: the running server; DATA_DIR: its data folder (emails are files there);
// EMAIL and PASSWORD: the demo organiser's login; SHOTS (optional): a folder for screenshots
// of every page; SCREENSHOTS_DIR (docs/screenshots by default): the few the documentation shows.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checker } from "./axe.mjs";
import { launch, required } from "./browser.mjs";
import { emlFiles, waitForConfirmLink } from "./mail.mjs";

const base = required("BASE_URL");
const data = required("DATA_DIR");
const mailDir = join(data, "mail");
const { check, visit, checkErrors, report, pages, TAGS, SIZES } = checker(base, process.env.SHOTS);
const docShots =
  process.env.SCREENSHOTS_DIR || join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "screenshots");

const browser = await launch();
/// A screenshot of what a screen shows of `path` at `size`, for the documentation
/// (SCREENSHOTS_DIR, docs/screenshots by default).
async function docShot(page, path, file, size) {
  await page.setViewportSize({ width: size.width, height: size.height });
  await page.goto(`${base}${path}`);
  await page.screenshot({ path: join(docShots, file) });
}

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

  // Languages: an Arabic translation of the letter, added through the organisers' page, is
  // read right to left; its missing fields come back marked.
  await visit(page, `${letter}/languages`, "admin-languages");
  await page.getByRole("button", { name: "Save the translation" }).click();
  await checkErrors(page, "admin-languages-errors");
  await page.locator("#lang").fill("ar");
  await page.locator("#title").fill("على رابطة ميريديان لكرة القدم أن تأمر بتحقيق مستقل");
  await page.locator("#subject").fill("بخصوص: تحقيق مستقل في أكاديمية الشباب");
  await page.locator("#body").fill("نحن الموقعين أدناه، لاعبين سابقين وأولياء أمور ومدربين ومنظمات، نطلب منكم فتح تحقيق مستقل.\n\nنطلب **ثلاثة أشياء**.");
  await page.getByRole("button", { name: "Save the translation" }).click();
  await page.waitForURL(/\/languages$/);
  await visit(page, "/l/demo?text=ar", "letter-translation-rtl");
  const dir = await page.locator("article.letter h1").getAttribute("dir");
  if (dir !== "rtl") throw new Error(`the Arabic title reads ${dir}, not right to left`);
  await docShot(page, "/l/demo?text=ar", "letter-translation-arabic-phone.png", SIZES[1]);
  await visit(page, "/l/demo/versions", "versions");
  // The interface in Spanish and French, picked with the switcher (remembered afterwards).
  await visit(page, "/l/demo?lang=es", "letter-es");
  if ((await page.locator("html").getAttribute("lang")) !== "es") throw new Error("not in Spanish");
  await docShot(page, "/l/demo", "letter-in-spanish.png", SIZES[0]);
  await visit(page, "/admin?lang=es", "admin-dashboard-es");
  await visit(page, "/l/demo?lang=fr", "letter-fr");
  if ((await page.locator("html").getAttribute("lang")) !== "fr") throw new Error("not in French");
  await docShot(page, "/l/demo#sign", "letter-in-french.png", SIZES[0]);
  await visit(page, `${letter}/languages`, "admin-languages-fr");
  await visit(page, "/l/demo?lang=en", "letter-en-again");
} finally {
  await browser.close();
}

if (!report()) process.exit(1);
console.log(`ok: ${pages()} pages, each at 1280×900 and 390×844, with no axe violation (${TAGS.join(", ")})`);
