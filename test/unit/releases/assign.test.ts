import { describe, expect, it } from "vitest";
import { assign, bucketOf, hashUserKey, ringIndexOf, type ReleaseRouting, type RequestAudience } from "../../../lib/releases/assign.ts";
import { completeConfig, releaseConfigInput, type ReleaseMode } from "../../../lib/releases/schema.ts";
import { stagesOf } from "../../../lib/releases/stages.ts";

// Sticky assignment (issue #11): a deterministic hash of (salt, user key) into 10,000 buckets. Fixed salts, so every
// count below is the same on every run; the bounds are written by hand.

const SALT = "5f1c0d9e8a7b6c5d4e3f2a1b0c9d8e7f";
const USERS = Array.from({ length: 10_000 }, (_, index) => `user-${index}@example.test`);
const nobody: Omit<RequestAudience, "userKey"> = { ringHeader: null, memberEmails: new Set() };

function routing(mode: ReleaseMode, input: Record<string, unknown>, stage: number, arms = ["stable", "candidate"], state = "running"): ReleaseRouting {
  const config = completeConfig(releaseConfigInput.parse(input), arms.length);
  const stages = stagesOf(mode, config);
  return { mode, salt: SALT, arms, stage: stages[stage]!, config, state };
}

function armsOf(plan: ReleaseRouting, users: readonly string[] = USERS): Map<string, string> {
  return new Map(users.map((userKey) => [userKey, assign(plan, { ...nobody, userKey }).arm]));
}

function candidates(arms: Map<string, string>): Set<string> {
  return new Set([...arms].filter(([, arm]) => arm === "candidate").map(([user]) => user));
}

describe("sticky canary assignment", () => {
  const at10 = routing("canary", { steps: [10, 25, 100] }, 0);
  const at25 = routing("canary", { steps: [10, 25, 100] }, 1);

  it("sends 10 % ± 1 % of 10,000 users to the candidate at a 10 % step", () => {
    const count = candidates(armsOf(at10)).size;
    expect(count).toBeGreaterThanOrEqual(900);
    expect(count).toBeLessThanOrEqual(1100);
  });

  it("gives each user the same arm on every request", () => {
    const first = armsOf(at10);
    for (let round = 0; round < 3; round++) expect(armsOf(at10)).toEqual(first);
    expect(bucketOf(SALT, "user-1@example.test")).toBe(bucketOf(SALT, "user-1@example.test"));
  });

  it("keeps every candidate user on the candidate when the share rises from 10 % to 25 %", () => {
    const before = candidates(armsOf(at10));
    const after = candidates(armsOf(at25));
    for (const user of before) expect(after.has(user)).toBe(true);
    expect(after.size).toBeGreaterThanOrEqual(2400);
    expect(after.size).toBeLessThanOrEqual(2600);
  });

  it("moves only candidate users back to stable when the share falls from 25 % to 5 %", () => {
    const plan5 = routing("canary", { steps: [5, 100] }, 0);
    const before = armsOf(at25);
    const after = armsOf(plan5);
    for (const user of USERS) {
      if (before.get(user) === "stable") expect(after.get(user)).toBe("stable");
    }
    const moved = USERS.filter((user) => before.get(user) === "candidate" && after.get(user) === "stable").length;
    expect(moved).toBeGreaterThan(1500);
    expect(candidates(after).size).toBeGreaterThanOrEqual(400);
    expect(candidates(after).size).toBeLessThanOrEqual(600);
  });

  it("uses another salt as another assignment (a new release reshuffles)", () => {
    const other = { ...at10, salt: "00000000000000000000000000000000" };
    const reshuffled = candidates(armsOf(other));
    const overlap = [...candidates(armsOf(at10))].filter((user) => reshuffled.has(user)).length;
    // independent 10 % draws overlap on about 1 % of users: far from the 1,000 a shared hash would give
    expect(overlap).toBeLessThan(200);
  });

  it("answers with stable once the release is neither running nor paused", () => {
    for (const state of ["draft", "rolled_back", "promoted", "stopped"]) {
      const ended = { ...at25, state };
      expect(candidates(armsOf(ended)).size).toBe(0);
    }
    expect(candidates(armsOf({ ...at25, state: "paused" })).size).toBe(candidates(armsOf(at25)).size);
  });
});

describe("A/B with three arms", () => {
  it("splits 10,000 users near 34 / 33 / 33", () => {
    const plan = routing("ab", { split: [34, 33, 33] }, 0, ["stable", "candidate", "candidate-2"]);
    const tally = new Map<string, number>();
    for (const arm of armsOf(plan).values()) tally.set(arm, (tally.get(arm) ?? 0) + 1);
    const stable = tally.get("stable") ?? 0;
    const candidate = tally.get("candidate") ?? 0;
    const second = tally.get("candidate-2") ?? 0;
    expect(stable + candidate + second).toBe(10_000);
    expect(stable).toBeGreaterThanOrEqual(3250);
    expect(stable).toBeLessThanOrEqual(3550);
    for (const count of [candidate, second]) {
      expect(count).toBeGreaterThanOrEqual(3150);
      expect(count).toBeLessThanOrEqual(3450);
    }
  });
});

describe("rings", () => {
  const input = {
    steps: [10, 100],
    rings: [
      { name: "internal", users: ["ops@example.test"], header: true, members: true },
      { name: "beta", header: false, percent: 20 },
    ],
  };
  const members = new Set(["grace@example.test"]);
  const audience = (userKey: string | null, ringHeader: string | null = null): RequestAudience => ({ userKey, ringHeader, memberEmails: members });

  it("puts a request in the first ring it matches: header, listed user, member, percentage", () => {
    const { config } = routing("canary", input, 0);
    expect(ringIndexOf(config, SALT, audience(null, "internal"))).toBe(0);
    expect(ringIndexOf(config, SALT, audience("someone", "INTERNAL"))).toBe(0);
    expect(ringIndexOf(config, SALT, audience("ops@example.test"))).toBe(0);
    expect(ringIndexOf(config, SALT, audience("Grace@Example.test"))).toBe(0);
    // beta takes no header: the ring named in it is ignored
    expect(ringIndexOf(config, SALT, audience(null, "beta"))).toBe(2);
    const inBeta = USERS.filter((user) => ringIndexOf(config, SALT, audience(user)) === 1).length;
    expect(inBeta).toBeGreaterThanOrEqual(1900);
    expect(inBeta).toBeLessThanOrEqual(2100);
  });

  it("opens rings in order: the internal stage sends only internal requests to the candidate", () => {
    const internal = routing("canary", input, 0);
    expect(assign(internal, audience("ops@example.test"))).toMatchObject({ arm: "candidate", ring: "internal" });
    expect(assign(internal, audience(null, "internal"))).toMatchObject({ arm: "candidate", ring: "internal", bucket: null });
    const outside = USERS.filter((user) => assign(internal, audience(user)).arm === "candidate").length;
    expect(outside).toBe(0);
    // the beta stage: internal and beta fully on the candidate, everyone else still on stable
    const beta = routing("canary", input, 1);
    const betaUsers = USERS.filter((user) => ringIndexOf(beta.config, SALT, audience(user)) === 1);
    for (const user of betaUsers) expect(assign(beta, audience(user)).arm).toBe("candidate");
    expect(assign(beta, audience("ops@example.test")).arm).toBe("candidate");
    const rest = USERS.filter((user) => ringIndexOf(beta.config, SALT, audience(user)) === 2);
    expect(rest.every((user) => assign(beta, audience(user)).arm === "stable")).toBe(true);
    // everyone at 10 %: a tenth of the rest joins
    const everyone = routing("canary", input, 2);
    const joined = rest.filter((user) => assign(everyone, audience(user)).arm === "candidate").length;
    expect(joined / rest.length).toBeGreaterThan(0.09);
    expect(joined / rest.length).toBeLessThan(0.11);
  });
});

describe("anonymous requests", () => {
  it("are assigned per request, with no bucket stored", () => {
    const plan = routing("canary", { steps: [50, 100] }, 0);
    const draws = [0.1, 0.9, 0.3, 0.7];
    let index = 0;
    const random = () => Math.floor((draws[index++ % draws.length] ?? 0) * 10_000);
    const arms = Array.from({ length: 4 }, () => assign(plan, { ...nobody, userKey: null }, random));
    expect(arms.map((item) => item.arm)).toEqual(["candidate", "stable", "candidate", "stable"]);
    expect(arms.every((item) => item.bucket === null)).toBe(true);
    // with the default random source, about half of 10,000 anonymous requests reach the candidate
    const live = Array.from({ length: 10_000 }, () => assign(plan, { ...nobody, userKey: null }).arm).filter((arm) => arm === "candidate").length;
    expect(live).toBeGreaterThan(4500);
    expect(live).toBeLessThan(5500);
  });
});

describe("shadow and interleaved", () => {
  it("shadow answers with stable and samples the candidate in the background", () => {
    const plan = routing("shadow", { sample: 30 }, 0);
    const assigned = USERS.map((userKey) => assign(plan, { ...nobody, userKey }));
    expect(assigned.every((item) => item.arm === "stable")).toBe(true);
    const shadowed = assigned.filter((item) => item.shadowArm === "candidate").length;
    expect(shadowed).toBeGreaterThanOrEqual(2850);
    expect(shadowed).toBeLessThanOrEqual(3150);
  });

  it("interleaved merges every request", () => {
    const plan = routing("interleaved", {}, 0);
    expect(assign(plan, { ...nobody, userKey: "a" })).toMatchObject({ arm: "stable", interleave: true });
  });
});

it("stores a user-key hash that is not the key and differs per workspace", () => {
  const hash = hashUserKey("workspace-a", "ada@example.test");
  expect(hash).toMatch(/^[0-9a-f]{32}$/);
  expect(hash).not.toContain("ada");
  expect(hashUserKey("workspace-b", "ada@example.test")).not.toBe(hash);
});
