// The browser tests' Chromium, outside the tests: findBrowser() picks it (test/support/browser.ts), playwright-core
// launches it, a page renders and is screenshotted. scripts/container-smoke.sh runs this inside a chroot of a bare
// Debian (no chromium package), so it proves the @sparticuz/chromium fallback starts on a machine without one.
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { findBrowser, launchBrowser } from "../test/support/browser.ts";

const out = process.argv[2] ?? path.resolve(import.meta.dirname, "../test/artifacts/browser-check.png");
const found = await findBrowser();
console.log(`browser: ${found.description}`);
const browser = await launchBrowser();
try {
  console.log(`version: ${browser.version()}`);
  const page = await browser.newPage({ viewport: { width: 480, height: 200 } });
  await page.setContent(`<title>assay-browser-check</title><h1 id="h">Rendered ${2 + 3}</h1>`);
  const heading = await page.textContent("#h");
  if (heading !== "Rendered 5") throw new Error(`the page rendered "${heading}", not "Rendered 5"`);
  await mkdir(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`page: "${await page.title()}" rendered "${heading}"; screenshot ${out} (${(await stat(out)).size} bytes)`);
} finally {
  await browser.close();
}
