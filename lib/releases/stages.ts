import { EVERYONE, type ReleaseConfig, type ReleaseMode, type Ring } from "./schema.ts";

// A release moves through stages: one per audience ring (internal users first), then, for a canary, one per ramp
// step over everyone. Release.stage is the index into this list; "advance" moves to the next, and passing the last
// one promotes (canary) — A/B, shadow and interleaved releases stay on their last stage until someone decides.

export const BUCKETS = 10_000;

export interface Stage {
  index: number;
  /** the ring this stage opens: a ring's name, or "everyone" */
  ring: string;
  /** rings[0..ringIndex] are open; ringIndex === rings.length means everyone */
  ringIndex: number;
  /**
   * canary: the candidate's share of the current ring's traffic in basis points (of 10,000 buckets); rings already
   * passed stay fully on the candidate. Other modes: 10,000 (the split, sample or interleaving applies to all open rings).
   */
  shareBps: number;
  /** "internal", "everyone 5 %" — how screens and the CLI name it */
  title: string;
}

export function percentToBps(percent: number): number {
  return Math.round(percent * 100);
}

export function stagesOf(mode: ReleaseMode, config: Pick<ReleaseConfig, "rings" | "steps">): Stage[] {
  const rings: Ring[] = config.rings;
  const stages: Stage[] = rings.map((ring, index) => ({ index, ring: ring.name, ringIndex: index, shareBps: BUCKETS, title: ring.name }));
  if (mode === "canary") {
    for (const step of config.steps) {
      stages.push({
        index: stages.length,
        ring: EVERYONE,
        ringIndex: rings.length,
        shareBps: percentToBps(step),
        title: `${EVERYONE} ${step} %`,
      });
    }
  } else {
    stages.push({ index: stages.length, ring: EVERYONE, ringIndex: rings.length, shareBps: BUCKETS, title: EVERYONE });
  }
  return stages;
}
