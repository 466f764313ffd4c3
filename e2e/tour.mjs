// A tour of the organiser pages and the signing flow, with a screenshot of each step, for
// looking at what we built. BASE_URL: a server with the demo loaded; EMAIL and PASSWORD: the
// organiser login that `undersigned demo` printed; OUT: the folder for the PNG files.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launch, required } from "./browser.mjs";

const base = required("BASE_URL");
const out = required("OUT");
mkdirSync(out, { recursive: true });

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const shot = (name) => page.screenshot({ path: join(out, `${name}.png`), fullPage: true });

  await page.goto(`${base}/login`);
  await shot("login");
  await page.locator("#email").fill(required("EMAIL"));
  await page.locator("#password").fill(required("PASSWORD"));
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/admin$/);
  await shot("dashboard");

  await page.getByRole("link", { name: "New letter" }).click();
  await page.getByRole("button", { name: "Save draft" }).click();
  await shot("letter-form-errors");
  await page.locator("#title").fill("Tour letter");
  await page.locator("#subject").fill("RE: A tour");
  await page.locator("#targets").fill("Ines Quarry | Commissioner | Example League");
  await page.locator("#body").fill("We ask you **today**.\n\n<script>alert(1)</script>");
  await page.getByRole("button", { name: "Save draft" }).click();
  await page.waitForURL(/\/admin\/letters\/\d+/);
  await shot("letter-admin-draft");

  await page.goto(`${base}/l/demo`);
  await page.getByRole("button", { name: "Sign the letter" }).click();
  await shot("sign-errors");
} finally {
  await browser.close();
}
