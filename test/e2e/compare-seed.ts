import type { PrismaClient } from "../../lib/generated/prisma/client.ts";
import { createRng } from "../../lib/stats/index.ts";

// Realistic comparison data written straight into the tables (for the compare browser test and bench:compare):
// a suite of support tickets with tags, one run whose variants answer each ticket with slightly different wording,
// correlated pass/fail, lognormal latencies, token counts and costs.

const WORDS =
  "the order was shipped on monday and should arrive within three business days please check the tracking link in your email we are sorry for the delay your refund has been issued to the original payment method it can take five to seven days to appear contact support if the item is damaged or missing parts".split(
    " ",
  );
const TAGS = ["billing", "shipping", "account", "refund", "damaged", "hard"];

export interface SeedVariant {
  label: string;
  /** probability of passing a case of average difficulty */
  quality: number;
  /** median latency in ms */
  latency: number;
  inputTokens: number;
  examples: number;
  counterexamples: number;
}

export interface SeededComparison {
  suiteId: string;
  runId: string;
  variantIds: string[];
}

export async function seedComparison(
  db: PrismaClient,
  options: { workspaceId: string; name: string; cases: number; variants: SeedVariant[]; seed?: number; repeats?: number },
): Promise<SeededComparison> {
  const rng = createRng(options.seed ?? 1);
  const repeats = options.repeats ?? 1;
  const suite = await db.suite.create({ data: { workspaceId: options.workspaceId, name: `${options.name} · ${Date.now().toString(36)}` } });
  const caseRows = Array.from({ length: options.cases }, (_, index) => {
    const tags = [TAGS[index % 5] as string, ...(index % 7 === 0 ? ["hard"] : [])];
    const words = Array.from({ length: 8 + rng.nextInt(10) }, () => WORDS[rng.nextInt(WORDS.length)]).join(" ");
    return { suiteId: suite.id, position: index, key: `ticket-${String(index + 1).padStart(5, "0")}`, variables: { ticket: `Customer writes: ${words}`, channel: index % 3 === 0 ? "email" : "chat" }, expected: tags[0] as string, tags };
  });
  for (let start = 0; start < caseRows.length; start += 2000) await db.case.createMany({ data: caseRows.slice(start, start + 2000) });
  const cases = await db.case.findMany({ where: { suiteId: suite.id }, orderBy: { position: "asc" }, select: { id: true } });
  // The configuration a run started through the API stores, so the run page opens these runs as it opens real ones.
  const prompt = { messages: [{ role: "user", content: "Route this ticket: {{ ticket }}" }], examples: [], counterexamples: [], exampleMode: "chat" };
  const config = {
    input: {
      suiteId: suite.id,
      variants: options.variants.map((variant) => ({ label: variant.label, prompt, model: "gpt-4o-mini", params: { temperature: 0 } })),
      repeats,
      concurrency: 10,
      cache: false,
      maxRetries: 3,
    },
    queue: "assay-run-chunks",
    source: "api",
    casesAsOf: new Date().toISOString(),
  };
  const run = await db.run.create({
    data: { workspaceId: options.workspaceId, suiteId: suite.id, name: options.name, status: "completed", config, repeats, totalCells: options.cases * options.variants.length * repeats, startedAt: new Date(), finishedAt: new Date() },
  });
  const variantIds: string[] = [];
  for (const [position, variant] of options.variants.entries()) {
    const created = await db.variant.create({
      data: {
        runId: run.id,
        position,
        label: variant.label,
        model: "gpt-4o-mini",
        params: { temperature: 0 },
        prompt: {
          messages: [{ role: "user", content: "Route this ticket: {{ ticket }}" }],
          examples: Array.from({ length: variant.examples }, () => ({ variables: { ticket: "x" }, output: "billing" })),
          counterexamples: Array.from({ length: variant.counterexamples }, () => ({ variables: { ticket: "y" }, output: "I think billing", reason: "not a label" })),
          exampleMode: "chat",
        },
      },
    });
    variantIds.push(created.id);
  }
  // Each case has a difficulty every variant shares, which makes pass/fail correlated as in real suites.
  const difficulty = cases.map(() => rng.nextNormal());
  const baseAnswers = cases.map(() => Array.from({ length: 12 + rng.nextInt(30) }, () => WORDS[rng.nextInt(WORDS.length)]).join(" "));
  const rows = [];
  for (const [variantIndex, variant] of options.variants.entries()) {
    const logit = Math.log(variant.quality / (1 - variant.quality));
    for (const [caseIndex, caseRow] of cases.entries()) {
      for (let repeat = 0; repeat < repeats; repeat++) {
        const probability = 1 / (1 + Math.exp(-(logit - 1.4 * (difficulty[caseIndex] as number) + 0.3 * rng.nextNormal())));
        const pass = rng.next() < probability;
        const words = (baseAnswers[caseIndex] as string).split(" ");
        // Variants reword a few words of the same answer, so the word diff has something to show.
        for (let change = 0; change < variantIndex * 2 + rng.nextInt(3); change++) words[rng.nextInt(words.length)] = WORDS[rng.nextInt(WORDS.length)] as string;
        const latency = variant.latency * Math.exp(0.45 * rng.nextNormal());
        const outputTokens = words.length + rng.nextInt(5);
        const inputTokens = variant.inputTokens + rng.nextInt(40);
        const errored = rng.next() < 0.004;
        rows.push({
          runId: run.id,
          variantId: variantIds[variantIndex] as string,
          caseId: caseRow.id,
          repeat,
          output: errored ? null : `${pass ? "" : "Maybe: "}${words.join(" ")}`,
          finishReason: errored ? null : "stop",
          inputTokens: errored ? null : inputTokens,
          outputTokens: errored ? null : outputTokens,
          cost: errored ? null : (inputTokens * 0.15 + outputTokens * 0.6) / 1_000_000,
          latencyMs: latency,
          ttftMs: errored ? null : latency * (0.25 + 0.1 * rng.next()),
          pass: errored ? false : pass,
          score: errored ? 0 : pass ? 1 : Math.round(rng.next() * 50) / 100,
          assertions: [{ type: "equals", pass, score: pass ? 1 : 0, reason: pass ? null : "expected the route label" }],
          error: errored ? { kind: "timeout", message: "timed out after 60 s" } : undefined,
        });
      }
    }
  }
  for (let start = 0; start < rows.length; start += 2000) await db.result.createMany({ data: rows.slice(start, start + 2000) });
  return { suiteId: suite.id, runId: run.id, variantIds };
}

/** The owner's workspace (browser tests share one owner account). */
export async function ownerWorkspace(db: PrismaClient, email: string): Promise<{ workspaceId: string; userId: string }> {
  const user = await db.user.findUniqueOrThrow({ where: { email }, include: { memberships: { orderBy: { createdAt: "asc" }, take: 1 } } });
  const membership = user.memberships[0];
  if (!membership) throw new Error(`${email} has no workspace`);
  return { workspaceId: membership.workspaceId, userId: user.id };
}
