// axe-core checks shared by the browser scripts: runs axe (WCAG 2.0, 2.1 and 2.2 A and AA
// rules) on a page at 1280×900 and at 390×844, checks by hand what axe cannot (a skip link to
// the main content; a failed form's error summary, linked to fields that say they are invalid
// and are described by their message), and collects every violation for `report`.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

export function checker(base, shots) {
  if (shots) mkdirSync(shots, { recursive: true });
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

  function report() {
    if (violations.length) {
      for (const v of violations) {
        console.error(`\n[${v.impact}] ${v.page} (${v.size}, ${v.url}): ${v.rule}: ${v.help}`);
        for (const n of v.nodes) console.error(`  - ${n}`);
      }
      console.error(`\n${violations.length} accessibility violation(s) on ${checked} pages`);
      return false;
    }
    return true;
  }

  return { check, visit, checkErrors, report, pages: () => checked, TAGS, SIZES };
}
