import { spawn } from "node:child_process";
import { accessSync, constants, createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createBrotliDecompress } from "node:zlib";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

// Browser tests drive Debian's Chromium (no Playwright browser download here) against the app started by
// app-setup.ts. Every e2e file shares one app and one database, so the owner account is created once and later
// files sign in with the same credentials.

export const OWNER = {
  name: "Ada Owner",
  email: "owner@assay.test",
  password: "correct horse battery",
  workspaceName: "Acme Research",
};

export const ARTIFACTS = path.resolve(import.meta.dirname, "../artifacts");

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface FoundBrowser {
  executablePath: string;
  /** environment the browser needs besides the test process's (the bundled one: its own libraries and fonts) */
  env?: Record<string, string>;
  /** said once per process, so a test log shows which browser ran */
  description: string;
}

function onPath(name: string): string | null {
  for (const folder of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!folder) continue;
    const candidate = path.join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder of PATH; the next one may have it
    }
  }
  return null;
}

let found: Promise<FoundBrowser> | undefined;

/**
 * The Chromium the browser tests drive: CHROMIUM_PATH, else the system's (/usr/bin/chromium, chromium or
 * chromium-browser on PATH), else the one the @sparticuz/chromium devDependency carries inside its npm package
 * (unpacked to the temporary folder on first use), so `npm install && npm test` needs nothing installed by hand.
 */
export function findBrowser(): Promise<FoundBrowser> {
  found ??= (async () => {
    if (process.env.CHROMIUM_PATH) return { executablePath: process.env.CHROMIUM_PATH, description: `CHROMIUM_PATH (${process.env.CHROMIUM_PATH})` };
    if (process.env.ASSAY_TEST_BUNDLED_CHROMIUM !== "1") {
      for (const candidate of ["/usr/bin/chromium", onPath("chromium"), onPath("chromium-browser")]) {
        if (!candidate) continue;
        try {
          accessSync(candidate, constants.X_OK);
          return { executablePath: candidate, description: `the system's Chromium (${candidate})` };
        } catch {
          // not installed there; try the next place
        }
      }
    }
    const bundled = (await import("@sparticuz/chromium")).default;
    const executablePath = await bundled.executablePath();
    const libraries = await bundledLibraries();
    const env: Record<string, string> = {
      LD_LIBRARY_PATH: [libraries, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":"),
      FONTCONFIG_PATH: process.env.FONTCONFIG_PATH ?? path.join(os.tmpdir(), "fonts"),
    };
    return {
      executablePath,
      env,
      description: `the Chromium inside the @sparticuz/chromium package (no system Chromium found; unpacked to ${executablePath}, its libraries in ${libraries})`,
    };
  })();
  return found;
}

/**
 * The libraries @sparticuz/chromium's binary links beyond glibc (NSS, NSPR, expat), from the al2023.tar.br it carries.
 * The package unpacks them only on AWS Lambda; a bare Debian lacks them too (verified in a debootstrap chroot with
 * no chromium package: "libnspr4.so: cannot open shared object file"), so they are unpacked here, with the system's
 * tar, once per machine.
 */
async function bundledLibraries(): Promise<string> {
  const folder = path.join(os.tmpdir(), "al2023");
  const libraries = path.join(folder, "lib");
  if (existsSync(path.join(libraries, "libnspr4.so"))) return libraries;
  const packageEntry = createRequire(import.meta.url).resolve("@sparticuz/chromium");
  const archive = path.resolve(path.dirname(packageEntry), "../../bin/al2023.tar.br");
  const partial = `${folder}.${process.pid}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  // Through a file, not a pipe: tar stops reading at the archive's end marker, before the padding after it.
  const tarFile = path.join(partial, "al2023.tar");
  await pipeline(createReadStream(archive), createBrotliDecompress(), createWriteStream(tarFile));
  await new Promise<void>((resolve, reject) => {
    const tar = spawn("tar", ["-x", "-f", tarFile, "-C", partial], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    tar.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    tar.once("error", reject);
    tar.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`tar -x of ${archive} failed (exit ${code}): ${stderr.trim()}`))));
  });
  await rm(tarFile);
  // Another process may have unpacked them meanwhile: theirs are the same files.
  await rename(partial, folder).catch(async (error: NodeJS.ErrnoException) => {
    if (!existsSync(path.join(libraries, "libnspr4.so"))) throw error;
    await rm(partial, { recursive: true, force: true });
  });
  return libraries;
}

let announced = false;

export async function launchBrowser(): Promise<Browser> {
  const browser = await findBrowser();
  if (!announced) {
    announced = true;
    process.stderr.write(`[browser tests] using ${browser.description}\n`);
  }
  return chromium.launch({
    executablePath: browser.executablePath,
    args: FLAGS,
    ...(browser.env ? { env: { ...process.env, ...browser.env } } : {}),
  });
}

/** Creates the owner through the API when the database has no user yet; otherwise does nothing. */
export async function ensureOwner(appUrl: string): Promise<void> {
  const response = await fetch(`${appUrl}/api/setup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(OWNER),
  });
  if (response.status !== 201 && response.status !== 409) {
    throw new Error(`setup failed: ${response.status} ${await response.text()}`);
  }
}

/** A browser context signed in as the owner (created first when needed). */
export async function signedInContext(browser: Browser, appUrl: string): Promise<BrowserContext> {
  await ensureOwner(appUrl);
  const context = await browser.newContext({ baseURL: appUrl, viewport: { width: 1440, height: 900 } });
  const response = await context.request.post(`${appUrl}/api/auth/sign-in/email`, {
    data: { email: OWNER.email, password: OWNER.password },
    headers: { origin: appUrl },
  });
  if (!response.ok()) throw new Error(`sign-in failed: ${response.status()} ${await response.text()}`);
  return context;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
