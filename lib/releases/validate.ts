import type { z } from "zod";
import { AppError } from "../errors.ts";
import { createReleaseInput, type ReleaseMode } from "./schema.ts";

// The rules of a release's shape that zod's per-field checks cannot say alone: how many candidates a mode takes,
// that a ramp climbs to 100, that a split has one share per arm. Pure, so the messages are unit-tested; the service
// checks what needs the database (prompt, label, versions, suite, connection, webhook) after these.

type ParsedCreate = z.output<typeof createReleaseInput>;

function invalid(field: string, message: string): AppError {
  return new AppError("bad_request", field, `${field}: ${message}`, [{ path: field, message }]);
}

/** The candidate version numbers, in arm order ("candidate", "candidate-2", …). */
export function candidateNumbers(input: Pick<ParsedCreate, "candidate" | "candidates" | "mode">): number[] {
  if (input.candidate !== undefined && input.candidates !== undefined) {
    throw invalid("candidate", "give candidate (one version) or candidates (several), not both");
  }
  const numbers = input.candidates ?? (input.candidate !== undefined ? [input.candidate] : []);
  if (numbers.length === 0) throw invalid("candidate", "name the candidate version number");
  if (new Set(numbers).size !== numbers.length) throw invalid("candidate", "each candidate version only once");
  if (input.mode !== "ab" && numbers.length > 1) {
    throw invalid("candidate", `a ${input.mode} release has exactly one candidate (A/B takes several)`);
  }
  return numbers;
}

/** Arm names: "stable", "candidate", "candidate-2", … */
export function armNames(candidateCount: number): string[] {
  return ["stable", ...Array.from({ length: candidateCount }, (_, index) => (index === 0 ? "candidate" : `candidate-${index + 1}`))];
}

/** Mode-specific settings: a setting another mode owns is refused rather than silently ignored. */
export function validateReleaseShape(input: ParsedCreate, armCount: number): void {
  const mode: ReleaseMode = input.mode;
  if (input.steps !== undefined) {
    if (mode !== "canary") throw invalid("steps", `only a canary has ramp steps (this release is ${mode})`);
    for (const [index, step] of input.steps.entries()) {
      const previous = input.steps[index - 1];
      if (previous !== undefined && step <= previous) throw invalid("steps", `steps must rise: ${step} % follows ${previous} %`);
    }
    const last = input.steps.at(-1);
    if (last !== 100) throw invalid("steps", `the last step must be 100 % (it is ${last} %)`);
  }
  if (input.split !== undefined) {
    if (mode !== "ab") throw invalid("split", `only an A/B release has a split (this release is ${mode})`);
    if (input.split.length !== armCount) {
      throw invalid("split", `one share per arm, stable first: ${armCount} arms, ${input.split.length} shares`);
    }
    const total = input.split.reduce((sum, share) => sum + share, 0);
    if (Math.abs(total - 100) > 0.001) throw invalid("split", `the shares must sum to 100 (they sum to ${Math.round(total * 1000) / 1000})`);
  }
  if (input.sample !== undefined && mode !== "shadow") throw invalid("sample", `only a shadow release has a sample (this release is ${mode})`);
  if (input.sample !== undefined && input.sample <= 0) throw invalid("sample", "a shadow sample above 0 %");
  const seen = new Set<string>();
  for (const ring of input.rings) {
    const key = ring.name.toLowerCase();
    if (seen.has(key)) throw invalid("rings", `two rings are named "${ring.name}"`);
    seen.add(key);
  }
  if (input.scoring?.assertions !== undefined && input.scoring.suiteId === undefined) {
    throw invalid("scoring.suiteId", "assertions are indices into a suite's assertions: name the suite");
  }
}
