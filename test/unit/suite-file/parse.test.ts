import { describe, expect, it } from "vitest";
import { parseSuiteFile } from "../../../lib/suite-file/parse.ts";

const valid = `name: triage
prompts:
  - triage@production
  - label: draft
    messages:
      - role: user
        content: "Classify {{ ticket }}"
targets:
  - connection: OpenAI
    model: gpt-4o-mini
  - baseURL: http://localhost:8080/v1
    apiKeyEnv: LOCAL_KEY
    model: llama
    params: { temperature: 0 }
assertions:
  - type: label
    classes: [bug, question]
cases: cases.csv
`;

function problem(text: string): string {
  try {
    parseSuiteFile(text, "suite.yaml");
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the file to be rejected");
}

describe("suite file parsing", () => {
  it("accepts the documented shapes and applies defaults", () => {
    const { config, lineOf } = parseSuiteFile(valid, "suite.yaml");
    expect(config).toMatchObject({ name: "triage", repeats: 1, concurrency: 10, cache: false, maxRetries: 3, cases: "cases.csv" });
    expect(config.prompts[0]).toBe("triage@production");
    expect(config.targets[1]).toMatchObject({ apiKeyEnv: "LOCAL_KEY", params: { temperature: 0 } });
    expect(config.assertions[0]).toMatchObject({ type: "label", weight: 1 });
    expect(lineOf(["targets", 1, "apiKeyEnv"])).toBe(12);
  });

  it("names the key and line of every problem", () => {
    expect(problem(valid.replace("model: llama", "modle: llama"))).toBe(
      'suite.yaml:11:5: targets[1].model: Invalid input: expected string, received undefined\nsuite.yaml:13:5: targets[1].modle: unknown key "modle"',
    );
    expect(problem(valid.replace("type: label", "type: lable"))).toMatch(/^suite\.yaml:16:\d+: assertions\[0\]\.type: unknown assertion type "lable" \(did you mean "label"\?\)$/);
    expect(problem(valid.replace("role: user", "role: robot"))).toMatch(/^suite\.yaml:6:\d+: prompts\[1\]\.messages\[0\]\.role: /);
    expect(problem(valid.replace("cases: cases.csv", "cases: []"))).toMatch(/suite\.yaml:\d+:\d+: cases: /);
  });

  it("reports malformed YAML with its position", () => {
    expect(problem("name: x\nprompts: [a\n")).toMatch(/^suite\.yaml:\d+:\d+: invalid YAML: /);
    expect(problem("- just\n- a list\n")).toBe("suite.yaml:1: a suite file is a mapping with name, prompts, targets and cases");
  });
});
