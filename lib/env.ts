import { z } from "zod";
import { parseAddressList } from "./net/address-list.ts";

// The one place that reads process.env. Everything else imports `env`.

/** A host / IP / CIDR list (lib/net/outbound-policy.ts); a bad entry stops the start with its name. */
const addressList = z
  .string()
  .default("")
  .transform((value, context) => {
    const { list, problems } = parseAddressList(value);
    for (const problem of problems) context.addIssue({ code: "custom", message: problem });
    return list;
  });

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().url().optional(),
  ASSAY_HOME: z.string().default(".assay"),
  ASSAY_SECRET: z.string().min(16, "ASSAY_SECRET must be at least 16 characters").optional(),
  PORT: z.coerce.number().int().positive().default(3000),
  ASSAY_PG_PORT: z.coerce.number().int().positive().default(54329),
  ASSAY_MODEL_PORT: z.coerce.number().int().positive().default(8088),
  ASSAY_MODELS_DIR: z.string().default("models"),
  /** more folders GGUF files may be registered from by path, colon- or comma-separated */
  ASSAY_MODEL_PATHS: z.string().default(""),
  ASSAY_PUBLIC_URL: z.string().url().optional(),
  ASSAY_WORKER: z.enum(["on", "off"]).default("on"),
  ASSAY_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  // Outbound URL policy: private ranges are allowed unless this is 1; the lists take host names, IPs and CIDRs.
  ASSAY_OUTBOUND_DENY_PRIVATE: z
    .enum(["", "0", "1", "false", "true"], { message: "ASSAY_OUTBOUND_DENY_PRIVATE is 1 or 0" })
    .default("0")
    .transform((value) => value === "1" || value === "true"),
  ASSAY_OUTBOUND_ALLOW: addressList,
  ASSAY_OUTBOUND_DENY: addressList,
});

export type Env = z.infer<typeof schema>;

function parse(): Env {
  const result = schema.safeParse(process.env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return result.data;
}

export const env: Env = parse();

export function publicUrl(): string {
  return env.ASSAY_PUBLIC_URL ?? `http://localhost:${env.PORT}`;
}

/**
 * DATABASE_URL is read at call time, not import time: `assay start` and the test setup start the embedded PostgreSQL
 * first and set it afterwards.
 */
export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set (assay start sets it when it starts the embedded PostgreSQL)");
  return url;
}
