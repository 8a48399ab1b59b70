import { createReadStream, createWriteStream } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { pipeline } from "node:stream/promises";

// Puts back what llama.cpp's saver loses in a fine-tuned GGUF: `<architecture>.context_length` (llama_opt_init stores
// the training sequence length as the model's context length, and llama_model_save_to_file writes it) and
// `tokenizer.chat_template` (the saver does not write it; without it node-llama-cpp falls back to a generic chat
// format and the server's prompt would not be the one trained on). Writes a new file: header with the fixed
// metadata, the tensor infos as they were, the tensor data copied byte for byte at the (re)aligned data offset.

const SCALAR_SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const UINT32 = 4;
const STRING = 8;
const ARRAY = 9;
const CHUNK = 1 << 20;

class Reader {
  private buffer = Buffer.alloc(0);
  private start = 0;
  position = 0;
  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
  ) {}

  private async ensure(length: number): Promise<void> {
    if (this.position + length > this.size) throw new Error("GGUF header ends early");
    if (this.position >= this.start && this.position + length <= this.start + this.buffer.length) return;
    const buffer = Buffer.alloc(Math.max(CHUNK, length));
    const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.position);
    this.buffer = buffer.subarray(0, bytesRead);
    this.start = this.position;
  }

  async u32(): Promise<number> {
    await this.ensure(4);
    const value = this.buffer.readUInt32LE(this.position - this.start);
    this.position += 4;
    return value;
  }

  async u64(): Promise<number> {
    await this.ensure(8);
    const value = Number(this.buffer.readBigUInt64LE(this.position - this.start));
    this.position += 8;
    return value;
  }

  async string(): Promise<string> {
    const length = await this.u64();
    await this.ensure(length);
    const value = this.buffer.toString("utf8", this.position - this.start, this.position - this.start + length);
    this.position += length;
    return value;
  }

  async skip(type: number): Promise<void> {
    // (read a length into a constant first: `position += await u64()` would add to the position before the read)
    if (type === STRING) {
      const length = await this.u64();
      this.position += length;
    } else if (type === ARRAY) {
      const itemType = await this.u32();
      const count = await this.u64();
      if (itemType === STRING) {
        for (let index = 0; index < count; index++) {
          const length = await this.u64();
          this.position += length;
        }
      }
      else if (SCALAR_SIZES[itemType] !== undefined) this.position += count * SCALAR_SIZES[itemType]!;
      else throw new Error(`GGUF array of unknown type ${itemType}`);
    } else if (SCALAR_SIZES[type] !== undefined) {
      this.position += SCALAR_SIZES[type]!;
    } else {
      throw new Error(`GGUF value of unknown type ${type}`);
    }
  }
}

/** Sets `<architecture>.context_length` (a uint32) in the file; throws if the key is missing or not a uint32. */
export async function patchContextLength(file: string, contextLength: number): Promise<void> {
  const handle = await open(file, "r+");
  try {
    const { size } = await handle.stat();
    const reader = new Reader(handle, size);
    if ((await reader.u32()) !== 0x46554747) throw new Error(`${file} is not a GGUF file`);
    await reader.u32(); // version
    await reader.u64(); // tensor count
    const count = await reader.u64();
    let architecture: string | null = null;
    const offsets = new Map<string, number>();
    for (let index = 0; index < count; index++) {
      const key = await reader.string();
      const type = await reader.u32();
      if (key === "general.architecture" && type === STRING) {
        architecture = await reader.string();
        continue;
      }
      if (key.endsWith(".context_length") && type === UINT32) offsets.set(key, reader.position);
      await reader.skip(type);
    }
    const offset = architecture === null ? undefined : offsets.get(`${architecture}.context_length`);
    if (offset === undefined) throw new Error(`${file} has no uint32 ${architecture ?? "<architecture>"}.context_length`);
    const value = Buffer.alloc(4);
    value.writeUInt32LE(contextLength, 0);
    await handle.write(value, 0, 4, offset);
  } finally {
    await handle.close();
  }
}

function ggufString(text: string): Buffer {
  const bytes = Buffer.from(text, "utf8");
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(bytes.length), 0);
  return Buffer.concat([length, bytes]);
}

/** Copies `source` to `target` with the context length set and the chat template added (or replaced). */
export async function rewriteStudentGguf(
  source: string,
  target: string,
  fix: { contextLength: number | null; chatTemplate: string | null },
): Promise<void> {
  const handle = await open(source, "r");
  let header: Buffer;
  let dataStart: number;
  let alignment = 32;
  const kept: Buffer[] = [];
  let keptCount = 0;
  let tensorCount: number;
  let version: number;
  try {
    const { size } = await handle.stat();
    const reader = new Reader(handle, size);
    if ((await reader.u32()) !== 0x46554747) throw new Error(`${source} is not a GGUF file`);
    version = await reader.u32();
    tensorCount = await reader.u64();
    const count = await reader.u64();
    let architecture: string | null = null;
    const entries: { key: string; type: number; start: number; end: number; valueStart: number }[] = [];
    for (let index = 0; index < count; index++) {
      const start = reader.position;
      const key = await reader.string();
      const type = await reader.u32();
      const valueStart = reader.position;
      if (key === "general.architecture" && type === STRING) architecture = await reader.string();
      else if (key === "general.alignment" && type === UINT32) alignment = await reader.u32();
      else await reader.skip(type);
      entries.push({ key, type, start, end: reader.position, valueStart });
    }
    const tensorsStart = reader.position;
    for (let index = 0; index < tensorCount; index++) {
      await reader.string();
      const dimensions = await reader.u32();
      reader.position += dimensions * 8 + 4 + 8;
    }
    const tensorsEnd = reader.position;
    dataStart = Math.ceil(tensorsEnd / alignment) * alignment;
    const read = async (start: number, end: number) => {
      const buffer = Buffer.alloc(end - start);
      await handle.read(buffer, 0, buffer.length, start);
      return buffer;
    };
    let contextFixed = fix.contextLength === null;
    for (const entry of entries) {
      if (entry.key === "tokenizer.chat_template" && fix.chatTemplate !== null) continue;
      const bytes = await read(entry.start, entry.end);
      if (fix.contextLength !== null && entry.key === `${architecture}.context_length` && entry.type === UINT32) {
        bytes.writeUInt32LE(fix.contextLength, entry.valueStart - entry.start);
        contextFixed = true;
      }
      kept.push(bytes);
      keptCount++;
    }
    if (!contextFixed) throw new Error(`${source} has no uint32 ${architecture ?? "<architecture>"}.context_length`);
    if (fix.chatTemplate !== null) {
      const type = Buffer.alloc(4);
      type.writeUInt32LE(STRING, 0);
      kept.push(Buffer.concat([ggufString("tokenizer.chat_template"), type, ggufString(fix.chatTemplate)]));
      keptCount++;
    }
    kept.push(await read(tensorsStart, tensorsEnd));
  } finally {
    await handle.close();
  }
  const start = Buffer.alloc(24);
  start.writeUInt32LE(0x46554747, 0);
  start.writeUInt32LE(version, 4);
  start.writeBigUInt64LE(BigInt(tensorCount), 8);
  start.writeBigUInt64LE(BigInt(keptCount), 16);
  header = Buffer.concat([start, ...kept]);
  const padded = Math.ceil(header.length / alignment) * alignment;
  header = Buffer.concat([header, Buffer.alloc(padded - header.length)]);
  const out = createWriteStream(target, { flags: "wx" });
  await new Promise<void>((resolve, reject) => out.write(header, (error) => (error ? reject(error) : resolve())));
  await pipeline(createReadStream(source, { start: dataStart }), out);
}
