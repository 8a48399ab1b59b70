// A SentencePiece-style (`tokenizer.ggml.model = "llama"`) vocabulary and a TypeScript copy of llama.cpp's SPM
// tokenizer, so the project can train a model on exactly the tokens llama.cpp will feed it.

export const SPACE = "\u2581"; // "▁", SentencePiece's visible space

/** llama.cpp's token types (llama_token_type). */
export const TokenType = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

export const UNKNOWN_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
const FIRST_BYTE_ID = 3;
const BYTE_COUNT = 256;

export interface Vocabulary {
  tokens: string[];
  scores: Float32Array;
  tokenTypes: Int32Array;
  bosId: number;
  eosId: number;
  unknownId: number;
}

function byteToken(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`;
}

/**
 * `<unk>`, `<s>`, `</s>`, the 256 byte-fallback tokens, then `pieces` in order (duplicates dropped). A piece scores
 * its length in characters, so the tokenizer prefers the longest known piece when two merges compete.
 */
export function buildVocabulary(pieces: Iterable<string>): Vocabulary {
  const tokens = ["<unk>", "<s>", "</s>"];
  const types: number[] = [TokenType.unknown, TokenType.control, TokenType.control];
  for (let byte = 0; byte < BYTE_COUNT; byte++) {
    tokens.push(byteToken(byte));
    types.push(TokenType.byte);
  }
  const seen = new Set(tokens);
  for (const piece of pieces) {
    if (piece.length === 0 || seen.has(piece)) continue;
    seen.add(piece);
    tokens.push(piece);
    types.push(TokenType.normal);
  }
  const scores = new Float32Array(tokens.length);
  tokens.forEach((token, id) => {
    scores[id] = types[id] === TokenType.normal ? Array.from(token).length : 0;
  });
  return { tokens, scores, tokenTypes: Int32Array.from(types), bosId: BOS_ID, eosId: EOS_ID, unknownId: UNKNOWN_ID };
}

interface Symbol {
  text: string;
  previous: number;
  next: number;
}

interface Bigram {
  left: number;
  right: number;
  score: number;
  text: string;
}

/**
 * llama.cpp's `llm_tokenizer_spm`: start from single characters, repeatedly merge the adjacent pair whose
 * concatenation is the highest-scoring token (ties: leftmost first), then fall back to byte tokens for characters
 * the vocabulary lacks. Spaces become "▁" and, like llama.cpp, one space is prefixed to the text.
 */
export class SpmTokenizer {
  private readonly ids = new Map<string, number>();

  constructor(private readonly vocabulary: Vocabulary) {
    vocabulary.tokens.forEach((token, id) => {
      const type = vocabulary.tokenTypes[id];
      if (type === TokenType.normal || type === TokenType.userDefined) this.ids.set(token, id);
    });
  }

  idOf(piece: string): number | undefined {
    return this.ids.get(piece);
  }

  encode(text: string, options: { addSpacePrefix?: boolean } = {}): number[] {
    if (text.length === 0) return [];
    const escaped = ((options.addSpacePrefix ?? true) ? " " : "") + text;
    const symbols: Symbol[] = Array.from(escaped.replaceAll(" ", SPACE)).map((character, index, all) => ({
      text: character,
      previous: index - 1,
      next: index + 1 < all.length ? index + 1 : -1,
    }));
    const queue: Bigram[] = [];
    const tryAdd = (left: number, right: number) => {
      if (left < 0 || right < 0) return;
      const leftSymbol = symbols[left];
      const rightSymbol = symbols[right];
      if (!leftSymbol || !rightSymbol) return;
      const merged = leftSymbol.text + rightSymbol.text;
      const id = this.ids.get(merged);
      if (id === undefined) return;
      queue.push({ left, right, score: this.vocabulary.scores[id] ?? 0, text: merged });
    };
    for (let index = 1; index < symbols.length; index++) tryAdd(index - 1, index);

    while (queue.length > 0) {
      // A linear scan instead of a heap: texts here are short, and this keeps the tie rule obvious.
      let best = 0;
      for (let index = 1; index < queue.length; index++) {
        const candidate = queue[index]!;
        const current = queue[best]!;
        if (candidate.score > current.score || (candidate.score === current.score && candidate.left < current.left)) best = index;
      }
      const bigram = queue.splice(best, 1)[0]!;
      const left = symbols[bigram.left]!;
      const right = symbols[bigram.right]!;
      if (left.text.length === 0 || right.text.length === 0 || left.text + right.text !== bigram.text) continue;
      left.text = bigram.text;
      right.text = "";
      left.next = right.next;
      if (right.next >= 0) symbols[right.next]!.previous = bigram.left;
      tryAdd(left.previous, bigram.left);
      tryAdd(bigram.left, left.next);
    }

    const output: number[] = [];
    for (let index = symbols.length > 0 ? 0 : -1; index >= 0; index = symbols[index]!.next) {
      const symbol = symbols[index]!;
      const id = this.ids.get(symbol.text);
      if (id !== undefined) {
        output.push(id);
        continue;
      }
      for (const byte of Buffer.from(symbol.text, "utf8")) output.push(FIRST_BYTE_ID + byte);
    }
    return output;
  }

  /** Token ids to text, as llama.cpp prints them: "▁" is a space, byte tokens are raw bytes, control tokens vanish. */
  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      const type = this.vocabulary.tokenTypes[id];
      if (type === TokenType.byte) {
        bytes.push(id - FIRST_BYTE_ID);
      } else if (type === TokenType.normal || type === TokenType.userDefined) {
        bytes.push(...Buffer.from((this.vocabulary.tokens[id] ?? "").replaceAll(SPACE, " "), "utf8"));
      }
    }
    return Buffer.from(bytes).toString("utf8");
  }
}
