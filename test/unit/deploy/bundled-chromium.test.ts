import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The browser tests' fallback Chromium (@sparticuz/chromium) links NSS, NSPR and expat, which a machine without
// Debian's chromium package lacks (scripts/container-smoke.sh shows it in a bare debootstrap chroot:
// "libnspr4.so: cannot open shared object file"). findBrowser unpacks the package's own copies and points the
// browser at them.

process.env.ASSAY_TEST_BUNDLED_CHROMIUM = "1";
delete process.env.CHROMIUM_PATH;
const { findBrowser, launchBrowser } = await import("../../support/browser.ts");

describe("the bundled Chromium", () => {
  it("comes with the libraries it links, on its library path", { timeout: 60_000 }, async () => {
    const found = await findBrowser();
    expect(found.description).toContain("@sparticuz/chromium");
    const libraryPath = found.env?.LD_LIBRARY_PATH?.split(":")[0];
    expect(libraryPath).toBeDefined();
    for (const library of ["libnspr4.so", "libnss3.so", "libnssutil3.so", "libexpat.so.1"]) {
      expect(existsSync(path.join(libraryPath!, library)), library).toBe(true);
    }
  });

  it("starts and renders a page", { timeout: 60_000 }, async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.setContent(`<p id="sum">${[2, 3].join(" + ")} = <b>${2 + 3}</b></p>`);
      expect(await page.textContent("#sum")).toBe("2 + 3 = 5");
    } finally {
      await browser.close();
    }
  });
});
