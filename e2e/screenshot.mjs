// Screenshots of a running instance, for the README and for looking at what we built.
// BASE_URL: the server; OUT: the folder for the PNG files.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { launch, required } from "./browser.mjs";

const base = required("BASE_URL");
const out = required("OUT");
mkdirSync(out, { recursive: true });
const shots = (process.env.SHOTS || "/l/demo=letter").split(",");

const browser = await launch();
try {
  for (const [viewport, suffix] of [[{ width: 1280, height: 900 }, ""], [{ width: 390, height: 844 }, "-phone"]]) {
    const page = await browser.newPage({ viewport });
    for (const shot of shots) {
      const [path, name] = shot.split("=");
      await page.goto(base + path);
      await page.screenshot({ path: join(out, `${name}${suffix}.png`), fullPage: process.env.FULL === "1" });
    }
    await page.close();
  }
} finally {
  await browser.close();
}
