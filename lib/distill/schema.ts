import { z } from "zod";
import { STUDENT_KINDS } from "./types.ts";

// The input of POST /api/distillations (and of the CLI's stored form). Parsed with parseInput (lib/suites/suites.ts),
// so a problem is a 400 naming the field.

export const MAX_CALL_SOURCES = 10_000;

export const createDistillationInput = z
  .strictObject({
    name: z.string().trim().min(1, "give the student a name").max(64),
    studentKind: z.enum(STUDENT_KINDS).default("classifier"),
    teacher: z
      .strictObject({
        promptId: z.string().min(1, "choose the teacher's prompt"),
        versionId: z.string().min(1).optional(),
        label: z.string().trim().min(1).max(100).optional(),
        connectionId: z.string().min(1, "choose the teacher's connection"),
        model: z.string().trim().min(1, "choose the teacher's model").max(200),
      })
      .superRefine((teacher, context) => {
        if (teacher.versionId && teacher.label) {
          context.addIssue({ code: "custom", path: ["versionId"], message: "give either versionId or label, not both" });
        }
      }),
    sources: z.strictObject({
      suiteId: z.string().min(1).optional(),
      calls: z.int().min(0).max(MAX_CALL_SOURCES, `at most ${MAX_CALL_SOURCES} stored calls`).optional(),
      rows: z
        .strictObject({
          format: z.enum(["csv", "jsonl"]),
          text: z.string().min(1, "the uploaded rows are empty"),
        })
        .optional(),
    }),
    heldOutShare: z.number().min(0.05).max(0.5).default(0.2),
    seed: z.int().min(0).max(2 ** 31 - 1).default(1),
    targetAgreement: z.number().min(0.5).max(1).default(0.98),
    lm: z
      .strictObject({
        baseModel: z.string().trim().min(1, "choose the base model to fine-tune"),
        epochs: z.int().min(1).max(200).default(8),
        learningRate: z.number().positive().max(1).default(1e-3),
      })
      .optional(),
  })
  .superRefine((input, context) => {
    const { suiteId, calls, rows } = input.sources;
    if (!suiteId && !(calls && calls > 0) && !rows) {
      context.addIssue({
        code: "custom",
        path: ["sources"],
        message: "give at least one source: a suite, stored calls, or uploaded rows",
      });
    }
    if (input.studentKind === "lm" && !input.lm) {
      context.addIssue({ code: "custom", path: ["lm", "baseModel"], message: "a language-model student needs a base model" });
    }
  });

export type CreateDistillationInput = z.input<typeof createDistillationInput>;
export type CreateDistillationParsed = z.output<typeof createDistillationInput>;

export const cascadeThresholdInput = z.union([
  z.strictObject({ threshold: z.number().min(0).max(1.000001) }),
  z.strictObject({ targetAgreement: z.number().min(0).max(1) }),
]);
export type CascadeThresholdInput = z.input<typeof cascadeThresholdInput>;

export const compareDistillationInput = z.strictObject({
  against: z.enum(["student", "cascade"]).default("student"),
});
export type CompareDistillationInput = z.input<typeof compareDistillationInput>;
