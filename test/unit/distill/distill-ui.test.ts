import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CoverageCurve } from "../../../components/distill/charts.tsx";
import { progressText, teacherText } from "../../../components/distill/distill-bits.tsx";
import { ConfusionMatrix } from "../../../components/distill/distillation-screen.tsx";
import { formErrorsOf } from "../../../components/distill/new-distillation-form.tsx";
import { ApiError } from "../../../lib/ui/api.ts";
import { curlSnippet, studentSnippet } from "../../../components/distill/use-it.tsx";
import { COLLECTING_VIEW, DONE_VIEW, TRAINING_VIEW } from "../../support/distill-fixture.ts";

// The distillation screens' pure parts: the teacher line, the progress line, the confusion matrix's diagonal, the
// curve's picked point, the "Use it" snippets.

describe("distillation screen text", () => {
  it("names the teacher as prompt vN (label) × connection / model", () => {
    expect(teacherText(DONE_VIEW)).toBe("sentiment v3 (production) × OpenAI / gpt-4o-mini");
    expect(teacherText({ teacher: { ...DONE_VIEW.teacher, promptName: null, versionNumber: null, label: null, connectionName: null } })).toBe("deleted prompt × gpt-4o-mini");
  });

  it("says how far the teacher run or the training is, and nothing once done", () => {
    expect(progressText(COLLECTING_VIEW)).toBe("64 of 180 teacher calls");
    expect(progressText({ ...COLLECTING_VIEW, teacherRun: { id: "r", status: "running", done: 10, total: 20, failed: 2 } })).toBe("10 of 20 teacher calls, 2 failed");
    // the fixture's 12th epoch: 1.1·e^(−11/6) + 0.05 = 0.2260…
    expect(progressText(TRAINING_VIEW)).toBe("epoch 12, loss 0.226");
    expect(progressText({ ...TRAINING_VIEW, loss: [] })).toBe("starting");
    expect(progressText(DONE_VIEW)).toBeNull();
  });
});

describe("ConfusionMatrix", () => {
  it("highlights the diagonal and marks the disagreements", () => {
    const html = renderToStaticMarkup(createElement(ConfusionMatrix, { classes: ["a", "b"], confusion: [[5, 1], [0, 7]] }));
    const diagonal = [...html.matchAll(/data-testid="confusion-diagonal">(\d+)</g)].map((match) => match[1]);
    expect(diagonal).toEqual(["5", "7"]);
    expect(html).toContain('bg-red-50 text-red-700" data-testid="confusion-cell">1<');
    expect(html).toContain('text-slate-400" data-testid="confusion-cell">0<');
  });
});

describe("CoverageCurve", () => {
  it("draws one point per threshold and marks the picked one with its threshold", () => {
    const html = renderToStaticMarkup(
      createElement(CoverageCurve, {
        curve: [
          { threshold: 0.9, coverage: 0.25, agreement: 1 },
          { threshold: 0.5, coverage: 0.75, agreement: 0.96 },
          { threshold: 0, coverage: 1, agreement: 0.9 },
        ],
        picked: { threshold: 0.9, coverage: 0.25, agreement: 1 },
        target: 0.98,
      }),
    );
    expect(html).toContain('data-points="3"');
    expect(html.match(/<circle/g)).toHaveLength(4);
    expect(html).toContain("threshold 0.90");
    expect(html).toContain("target 98.0%");
  });
});

describe("Use it snippets", () => {
  it("name the model and the model server", () => {
    const sdk = studentSnippet({ modelServerUrl: "http://127.0.0.1:3939/v1", model: "cascade:tickets" });
    expect(sdk).toContain('baseURL: "http://127.0.0.1:3939/v1"');
    expect(sdk).toContain('model: "cascade:tickets"');
    expect(curlSnippet({ modelServerUrl: "http://h/v1", model: "student:t" })).toContain('curl http://h/v1/chat/completions');
  });
});

describe("formErrorsOf", () => {
  it("files a 400 under its paths and a taken name (409) in full under its subject", () => {
    const invalid = formErrorsOf(new ApiError(400, "bad_request", "teacher.model: choose the teacher's model", [{ path: "teacher.model", message: "choose the teacher's model" }]));
    expect([...invalid]).toEqual([["teacher.model", ["choose the teacher's model"]]]);
    const taken = formErrorsOf(new ApiError(409, "conflict", 'A student or distillation named "t" already exists in this workspace', [{ path: "name", message: "taken" }], "name"));
    expect([...taken]).toEqual([["name", ['A student or distillation named "t" already exists in this workspace']]]);
    expect(formErrorsOf(new ApiError(500, "internal", "boom", [])).size).toBe(0);
  });
});
