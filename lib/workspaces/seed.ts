import { db, Prisma } from "../db.ts";
import { localModelServerUrl } from "../env.ts";
import { caseInput, createSuiteInput } from "../suites/schema.ts";
import { DEMO_CASES, DEMO_PROMPTS, DEMO_SUITE, DEMO_TRIAGE_PROMPT, TRIAGE_FEW_SHOT } from "./demo-content.ts";

export const LOCAL_CONNECTION_NAME = "Local models";
export const DEMO_MODEL = "assay-ngram-demo";
/** the demo classifier (lib/local-models/classifier-model.ts): support-triage's answers depend on the message */
export const TRIAGE_MODEL = "assay-triage-demo";

export { localModelServerUrl };

/**
 * First run only (remembered in Meta): a demo workspace with example prompts whose target is the local n-gram model,
 * so a new user can run a prompt with no API key and no network. The owner adopts it at setup. support-triage has a
 * second, few-shot version and a suite of cases; the run of both versions on it is started once the model server is
 * up (lib/workspaces/demo-run.ts), so its figures come from real calls.
 */
export async function seedDemo(): Promise<boolean> {
  if (await db.meta.findUnique({ where: { key: "demo-seeded" } })) return false;
  await db.$transaction(async (tx) => {
    const workspace = await tx.workspace.create({ data: { name: "Demo workspace", slug: `demo-${Date.now().toString(36)}` } });
    const connection = await tx.connection.create({
      data: {
        workspaceId: workspace.id,
        name: LOCAL_CONNECTION_NAME,
        kind: "local",
        preset: "local",
        baseUrl: localModelServerUrl(),
        concurrency: 4,
        models: {
          create: [
            { name: DEMO_MODEL, contextWindow: 512, inputPricePerM: 0, outputPricePerM: 0 },
            { name: "assay-random-1m", contextWindow: 512, inputPricePerM: 0, outputPricePerM: 0 },
            { name: TRIAGE_MODEL, contextWindow: 2048, inputPricePerM: 0, outputPricePerM: 0 },
          ],
        },
      },
    });
    for (const prompt of DEMO_PROMPTS) {
      const first = {
        number: 1,
        messages: prompt.messages,
        examples: prompt.examples,
        counterexamples: prompt.counterexamples,
        testInputs: prompt.testInputs,
        exampleMode: prompt.exampleMode,
        connectionId: connection.id,
        model: prompt.name === DEMO_TRIAGE_PROMPT ? TRIAGE_MODEL : DEMO_MODEL,
        params: prompt.params,
        commitMessage: prompt.name === DEMO_TRIAGE_PROMPT ? "Zero-shot: the queues named in the instructions" : "Demo prompt",
      };
      const versions =
        prompt.name === DEMO_TRIAGE_PROMPT
          ? [first, { ...first, number: 2, examples: TRIAGE_FEW_SHOT.examples, counterexamples: TRIAGE_FEW_SHOT.counterexamples, commitMessage: TRIAGE_FEW_SHOT.commitMessage }]
          : [first];
      await tx.prompt.create({
        data: { workspaceId: workspace.id, name: prompt.name, description: prompt.description, versions: { create: versions } },
      });
    }
    // Parsed with the schemas every other way of making a suite uses, so the demo cannot hold what a user could not.
    const suite = createSuiteInput.parse(DEMO_SUITE);
    await tx.suite.create({
      data: {
        workspaceId: workspace.id,
        name: suite.name,
        description: suite.description,
        assertions: suite.assertions as Prisma.InputJsonValue,
        cases: {
          create: DEMO_CASES.map((demoCase, position) => {
            const parsed = caseInput.parse({
              key: demoCase.key,
              variables: { message: demoCase.message },
              expected: demoCase.expected,
              tags: demoCase.tags,
              assertions: demoCase.assertions ?? [],
            });
            return {
              position,
              key: demoCase.key,
              variables: parsed.variables as Prisma.InputJsonValue,
              expected: parsed.expected ?? null,
              tags: parsed.tags,
              assertions: parsed.assertions as Prisma.InputJsonValue,
            };
          }),
        },
      },
    });
    await tx.meta.create({ data: { key: "demo-seeded", value: workspace.id } });
  });
  return true;
}
