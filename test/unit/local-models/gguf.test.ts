import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, truncate, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../../lib/errors.ts";
import { readGgufInfo } from "../../../lib/local-models/gguf-info.ts";
import { CONTINUATION_CHAT_TEMPLATE } from "../../../lib/local-models/chat-template.ts";
import { GGUF_ALIGNMENT } from "../../../lib/local-models/gguf-writer.ts";
import { randomModelParameterCount, RANDOM_MODEL_PRESETS, writeRandomModel } from "../../../lib/local-models/random-model.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "assay-gguf-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const digest = async (file: string) => createHash("sha256").update(await readFile(file)).digest("hex");

/** Offsets of every tensor's data, read from the tensor infos (the reader does not expose them). */
async function tensorOffsets(file: string): Promise<{ dataStart: number; offsets: number[] }> {
  const bytes = await readFile(file);
  let position = 8;
  const u32 = () => {
    const value = bytes.readUInt32LE(position);
    position += 4;
    return value;
  };
  const u64 = () => {
    const value = Number(bytes.readBigUInt64LE(position));
    position += 8;
    return value;
  };
  const string = () => {
    const length = u64();
    position += length;
  };
  const sizes: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
  const skipValue = (type: number): void => {
    if (type === 8) return string();
    if (type === 9) {
      const itemType = u32();
      const length = u64();
      for (let index = 0; index < length; index++) skipValue(itemType);
      return;
    }
    position += sizes[type]!;
  };
  const tensorCount = u64();
  const metadataCount = u64();
  for (let index = 0; index < metadataCount; index++) {
    string();
    skipValue(u32());
  }
  const offsets: number[] = [];
  for (let index = 0; index < tensorCount; index++) {
    string();
    const dimensions = u32();
    position += 8 * dimensions;
    u32();
    offsets.push(u64());
  }
  return { dataStart: Math.ceil(position / GGUF_ALIGNMENT) * GGUF_ALIGNMENT, offsets };
}

describe("seeded random GGUF", () => {
  it("writes the same bytes for the same seed and different bytes for another seed", async () => {
    const first = path.join(dir, "a.gguf");
    const again = path.join(dir, "b.gguf");
    const other = path.join(dir, "c.gguf");
    await writeRandomModel(first, { seed: 42 });
    await writeRandomModel(again, { seed: 42 });
    await writeRandomModel(other, { seed: 43 });
    expect(await digest(first)).toBe(await digest(again));
    expect(await digest(first)).not.toBe(await digest(other));
  });

  it("keeps the bytes of the default model stable across versions of the code", async () => {
    // Changing the generator changes every seeded model users and tests rely on; this hash makes that visible.
    // (Changed once on purpose in issue #12: the small preset became 256 wide (1 block, feed-forward 512), for real K-quants.)
    const file = path.join(dir, "stable.gguf");
    await writeRandomModel(file, { seed: 7, name: "Assay random small seed 7", ...RANDOM_MODEL_PRESETS.small.options });
    expect(await digest(file)).toBe("9c880ec4a04e2d6a432c373bb93009a060c467c544d4124564b4002153b646f9");
  });

  it("describes itself in its header: llama, F32, parameters, context, vocabulary, chat template", async () => {
    const file = path.join(dir, "header.gguf");
    const written = await writeRandomModel(file, { seed: 3, name: "Header test", contextLength: 1024, vocabSize: 600 });
    const info = await readGgufInfo(file);
    expect(info).toMatchObject({
      architecture: "llama",
      quantization: "F32",
      parameterCount: written.parameterCount,
      contextLength: 1024,
      name: "Header test",
      chatTemplate: CONTINUATION_CHAT_TEMPLATE,
      embeddingLength: 256,
      blockCount: 1,
      headCount: 8,
      headCountKv: 8,
      vocabSize: 600,
      ggufVersion: 3,
      sizeBytes: written.sizeBytes,
    });
    expect(written.parameterCount).toBe(randomModelParameterCount({ seed: 3, vocabSize: 600 }));
  });

  it("aligns every tensor's data to 32 bytes", async () => {
    const file = path.join(dir, "aligned.gguf");
    await writeRandomModel(file, { seed: 5, vocabSize: 517 });
    const { dataStart, offsets } = await tensorOffsets(file);
    expect(offsets.length).toBe(3 + 1 * 9); // token_embd, output_norm, output, 9 per block
    expect(dataStart % GGUF_ALIGNMENT).toBe(0);
    for (const offset of offsets) expect(offset % GGUF_ALIGNMENT).toBe(0);
  });
});

describe("readGgufInfo", () => {
  const rejection = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      if (error instanceof AppError) return error;
      throw error;
    }
    throw new Error("expected an AppError");
  };

  it("says a file that is not a GGUF is not one", async () => {
    const file = path.join(dir, "notes.gguf");
    await writeFile(file, "This is a text file that is long enough to have a header.\n");
    const error = await rejection(readGgufInfo(file));
    expect(error.code).toBe("bad_request");
    expect(error.message).toBe('notes.gguf is not a GGUF file (no "GGUF" magic)');
  });

  it("says a cut-off GGUF is truncated", async () => {
    const file = path.join(dir, "cut.gguf");
    await writeRandomModel(file, { seed: 9 });
    await truncate(file, 200);
    const error = await rejection(readGgufInfo(file));
    expect(error.message).toBe("cut.gguf is truncated or not a GGUF file");
  });

  it("says which file is missing", async () => {
    const error = await rejection(readGgufInfo(path.join(dir, "missing.gguf")));
    expect(error.code).toBe("not_found");
    expect(error.message).toContain("missing.gguf");
  });
});
