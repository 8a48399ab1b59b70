import { db } from "../db.ts";
import { localModelServerUrl } from "../env.ts";
import { DEMO_PROMPTS } from "./demo-content.ts";

export const LOCAL_CONNECTION_NAME = "Local models";
export const DEMO_MODEL = "assay-ngram-demo";

export { localModelServerUrl };

/**
 * First run only (remembered in Meta): a demo workspace with example prompts whose target is the local n-gram model,
 * so a new user can run a prompt with no API key and no network. The owner adopts it at setup.
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
          ],
        },
      },
    });
    for (const prompt of DEMO_PROMPTS) {
      await tx.prompt.create({
        data: {
          workspaceId: workspace.id,
          name: prompt.name,
          description: prompt.description,
          versions: {
            create: {
              number: 1,
              messages: prompt.messages,
              examples: prompt.examples,
              counterexamples: prompt.counterexamples,
              exampleMode: prompt.exampleMode,
              connectionId: connection.id,
              model: DEMO_MODEL,
              params: prompt.params,
              commitMessage: "Demo prompt",
            },
          },
        },
      });
    }
    await tx.meta.create({ data: { key: "demo-seeded", value: workspace.id } });
  });
  return true;
}
