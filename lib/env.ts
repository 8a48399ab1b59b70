import { z } from "zod";
import { parseAddressList } from "./net/address-list.ts";

/** A size in bytes: a whole number, optionally with kb, mb or gb (powers of 1024), e.g. "1mb" or "1048576". */
const byteSize = z
  .string()
  .trim()
  .regex(/^\d+\s*(b|kb|mb|gb)?$/i, 'a size in bytes such as 1048576, "512kb" or "1mb"')
  .transform((text) => {
    const match = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(text);
    const unit = (match?.[2] ?? "b").toLowerCase();
    const scale = unit === "gb" ? 1024 ** 3 : unit === "mb" ? 1024 ** 2 : unit === "kb" ? 1024 : 1;
    return Number(match?.[1] ?? 0) * scale;
  })
  .refine((bytes) => bytes > 0, "must be more than 0 bytes");

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
  /**
   * where the web app and workers reach the local model server when it runs elsewhere (another container or machine,
   * e.g. http://models:8088/v1); unset = http://127.0.0.1:ASSAY_MODEL_PORT/v1, where `assay start` runs it
   */
  ASSAY_MODEL_URL: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value.replace(/\/+$/, "") : undefined))
    .refine((value) => value === undefined || /^https?:\/\/[^/\s]+(\/\S*)?$/.test(value), "ASSAY_MODEL_URL must be an http(s) URL such as http://models:8088/v1"),
  ASSAY_MODELS_DIR: z.string().default("models"),
  /** more folders GGUF files may be registered from by path, colon- or comma-separated */
  ASSAY_MODEL_PATHS: z.string().default(""),
  ASSAY_PUBLIC_URL: z.string().url().optional(),
  /** where invitation mail goes out (smtp://user:pass@host:587, smtps://…); unset = no mail, the link is shown to copy */
  ASSAY_SMTP_URL: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : undefined))
    .refine((value) => value === undefined || /^smtps?:\/\//.test(value), "ASSAY_SMTP_URL must start with smtp:// or smtps://"),
  /** the From of invitation mail */
  ASSAY_MAIL_FROM: z.string().trim().min(3).default("Assay <assay@localhost>"),
  /** the address the web app listens on; anything but loopback exposes it (see README "Exposing Assay on a network") */
  ASSAY_HOST: z.string().trim().min(1).default("127.0.0.1"),
  /**
   * How many reverse proxies stand in front of the app ("1"/"true" = one). Only then is X-Forwarded-For believed, and
   * the client address is the entry that many hops from the right (the one the nearest proxy appended).
   */
  ASSAY_TRUST_PROXY: z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === "" || value === "0" || value === "false") return 0;
      if (value === "true") return 1;
      const hops = Number(value);
      if (Number.isInteger(hops) && hops > 0 && hops <= 10) return hops;
      context.addIssue({ code: "custom", message: 'ASSAY_TRUST_PROXY must be "true", "false" or a number of proxies (1-10)' });
      return z.NEVER;
    }),
  ASSAY_WORKER: z.enum(["on", "off"]).default("on"),
  /** how often the release monitor (lib/releases/monitor.ts) checks running releases, in ms; 0 turns it off */
  ASSAY_RELEASE_MONITOR_MS: z.coerce.number().int().min(0).max(3_600_000).default(2_000),
  ASSAY_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  // Outbound URL policy: private ranges are allowed unless this is 1; the lists take host names, IPs and CIDRs.
  ASSAY_OUTBOUND_DENY_PRIVATE: z
    .enum(["", "0", "1", "false", "true"], { message: "ASSAY_OUTBOUND_DENY_PRIVATE is 1 or 0" })
    .default("0")
    .transform((value) => value === "1" || value === "true"),
  ASSAY_OUTBOUND_ALLOW: addressList,
  ASSAY_OUTBOUND_DENY: addressList,
  // Limits (lib/limits.ts): request bodies, case-file uploads, and what one workspace may have going at once.
  ASSAY_MAX_BODY: byteSize.default(1024 ** 2),
  ASSAY_MAX_IMPORT_BYTES: byteSize.default(200 * 1024 ** 2),
  ASSAY_MAX_IMPORT_ROWS: z.coerce.number().int().positive().default(1_000_000),
  ASSAY_MAX_ACTIVE_RUNS: z.coerce.number().int().positive().default(10),
  ASSAY_MAX_CELLS_IN_FLIGHT: z.coerce.number().int().positive().default(200),
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

/**
 * Whether ASSAY_MODEL_PORT was set rather than defaulted: the built-in local connection follows the model server's
 * port only when one was configured, and otherwise keeps the base URL it was saved with.
 */
export const modelPortConfigured: boolean = Boolean(process.env.ASSAY_MODEL_PORT) || Boolean(process.env.ASSAY_MODEL_URL?.trim());

/** The local model server's OpenAI base URL: ASSAY_MODEL_URL, else loopback on ASSAY_MODEL_PORT. */
export function localModelServerUrl(): string {
  return env.ASSAY_MODEL_URL ?? `http://127.0.0.1:${env.ASSAY_MODEL_PORT}/v1`;
}

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
