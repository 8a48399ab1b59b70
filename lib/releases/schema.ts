import { z } from "zod";

// The release configuration as POST /api/releases takes it, the CLI sends it and Release.config stores it (parsed,
// defaults filled). Percentages are what people type; lib/releases/stages.ts turns them into basis points of the
// 10,000 sticky buckets.

export const RELEASE_MODES = ["canary", "ab", "shadow", "interleaved"] as const;
export type ReleaseMode = (typeof RELEASE_MODES)[number];

export const RELEASE_STATES = ["draft", "running", "paused", "rolled_back", "promoted", "stopped"] as const;
export type ReleaseState = (typeof RELEASE_STATES)[number];

export const DEFAULT_CANARY_STEPS = [1, 5, 25, 50, 100] as const;
/** The implicit last ring: everyone not in an earlier ring. */
export const EVERYONE = "everyone";

const percent = z.number("a percentage").min(0, "at least 0").max(100, "at most 100");
const ringName = z
  .string()
  .trim()
  .min(1, "a ring needs a name")
  .max(40, "at most 40 characters")
  .regex(/^[a-z0-9][a-z0-9_-]*$/i, "letters, digits, - and _ only")
  .refine((name) => name.toLowerCase() !== EVERYONE, `"${EVERYONE}" is the implicit last ring`);

/**
 * An audience ring, opened before the next: a request is in it when its user key is listed, when it sends
 * `x-assay-ring: <name>` (header), when its user key is a member's email (members), or when its user key hashes into
 * the ring's percentage (percent). The first ring a request matches is its ring; matching none is "everyone".
 */
export const ringInput = z
  .strictObject({
    name: ringName,
    users: z.array(z.string().trim().min(1).max(200)).max(10_000, "at most 10,000 user keys").default([]),
    header: z.boolean().default(true),
    members: z.boolean().default(false),
    percent: percent.optional(),
  })
  .refine((ring) => ring.users.length > 0 || ring.header || ring.members || ring.percent !== undefined, {
    message: "a ring needs users, header, members or percent",
  });
export type Ring = z.output<typeof ringInput>;

/** How long each stage is held before it may advance, and how many candidate calls it needs. */
export const holdInput = z.strictObject({
  minMinutes: z.number().min(0).max(7 * 24 * 60).default(10),
  minCalls: z.number().int().min(0).max(10_000_000).default(100),
});

/**
 * Guards compare the candidate with stable continuously (lib/releases/guards.ts). Thresholds are the tolerated
 * worsening; a guard breaches when the always-valid test is sure the worsening is beyond it. `alpha` is the release's
 * whole false-rollback budget, shared by the enabled guards (Bonferroni).
 */
export const guardsInput = z.strictObject({
  alpha: z.number().gt(0).max(0.2).default(0.05),
  /** calls per arm before any guard may breach */
  minCalls: z.number().int().min(10).max(1_000_000).default(50),
  errorRate: z.strictObject({ enabled: z.boolean().default(true), maxIncrease: z.number().min(0).max(1).default(0.01) }).prefault({}),
  latency: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** tolerated Hodges–Lehmann shift, relative to stable's median (0.2 = 20 % slower) */
      maxIncrease: z.number().min(0).max(10).default(0.2),
    })
    .prefault({}),
  passRate: z.strictObject({ enabled: z.boolean().default(true), maxDecrease: z.number().min(0).max(1).default(0.02) }).prefault({}),
  feedback: z.strictObject({ enabled: z.boolean().default(true), maxDecrease: z.number().min(0).max(1).default(0.05) }).prefault({}),
});
export type Guards = z.output<typeof guardsInput>;

/** Online scoring of release outputs: a suite's default assertions (all, or the listed indices), and/or a judge rubric. */
export const scoringInput = z.strictObject({
  suiteId: z.string().trim().min(1).max(100).optional(),
  /** indices into the suite's default assertions; all when omitted */
  assertions: z.array(z.number().int().min(0)).max(100).optional(),
  judge: z
    .strictObject({
      connectionId: z.string().trim().min(1).max(100),
      model: z.string().trim().min(1).max(200),
      rubric: z.string().trim().min(1).max(20_000),
    })
    .optional(),
});
export type Scoring = z.output<typeof scoringInput>;

export const releaseConfigInput = z.strictObject({
  /** canary: the ramp, in percent of eligible traffic, ascending, ending at 100 */
  steps: z.array(percent.gt(0, "a step above 0")).min(1).max(20).optional(),
  /** A/B: one share per arm (stable first), summing to 100 */
  split: z.array(percent).min(2).max(10).optional(),
  /** shadow: the share of stable's requests also sent to the candidate */
  sample: percent.optional(),
  rings: z.array(ringInput).max(10).default([]),
  hold: holdInput.prefault({}),
  guards: guardsInput.prefault({}),
  autoAdvance: z.boolean().default(true),
  scoring: scoringInput.nullable().default(null),
  /** POSTed a JSON summary when the release rolls back (through the outbound URL policy) */
  webhook: z.url().max(2000).nullable().default(null),
  /** whether the application's temperature, max_tokens, … override the version's */
  allowParams: z.boolean().default(true),
});
export type ReleaseConfig = z.output<typeof releaseConfigInput> & {
  steps: number[];
  split: number[];
  sample: number;
};

/** POST /api/releases. `candidate` is a version number; `candidates` (A/B with more arms) lists several. */
export const createReleaseInput = releaseConfigInput.extend({
  prompt: z.string().trim().min(1).max(200),
  stable: z.string().trim().min(1).max(100).default("production"),
  candidate: z.number().int().positive().optional(),
  candidates: z.array(z.number().int().positive()).min(1).max(9).optional(),
  mode: z.enum(RELEASE_MODES, "canary, ab, shadow or interleaved"),
});
export type CreateReleaseInput = z.input<typeof createReleaseInput>;

export const RELEASE_ACTIONS = ["start", "pause", "resume", "advance", "rollback", "promote", "stop"] as const;
export type ReleaseAction = (typeof RELEASE_ACTIONS)[number];

/**
 * Body of POST /api/releases/:id/{action}: a note for the timeline; promote may name the arm (A/B); `stage`, the
 * stage the page showed, makes the action a 409 if the release has moved on since (two people clicking "advance").
 */
export const releaseActionInput = z.strictObject({
  reason: z.string().trim().max(2000).default(""),
  arm: z.string().trim().min(1).max(40).optional(),
  stage: z.number().int().min(0).optional(),
});

/** Fills what the mode leaves unsaid: canary steps, an even split over the arms, a 100 % shadow sample. */
export function completeConfig(input: z.output<typeof releaseConfigInput>, armCount: number): ReleaseConfig {
  const even = Array.from({ length: armCount }, (_, index) => {
    const base = Math.floor((100 / armCount) * 100) / 100;
    return index === 0 ? Math.round((100 - base * (armCount - 1)) * 100) / 100 : base;
  });
  return {
    ...input,
    steps: input.steps ?? [...DEFAULT_CANARY_STEPS],
    split: input.split ?? even,
    sample: input.sample ?? 100,
  };
}
