// Hashed text features: lower-cased word unigrams and bigrams plus character 3- and 4-grams of each word (with its
// boundaries), hashed (FNV-1a) into a fixed number of dimensions and L2-normalised. No vocabulary to store: the same
// text gives the same features in training and in the model server.

export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

function fnv1a(text: string, salt: number): number {
  let hash = (0x811c9dc5 ^ salt) >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

const WORD = /[\p{L}\p{N}]+/gu;

export function featurize(text: string, dimensions: number): SparseVector {
  const counts = new Map<number, number>();
  const add = (feature: string, salt: number) => {
    const index = fnv1a(feature, salt) % dimensions;
    counts.set(index, (counts.get(index) ?? 0) + 1);
  };
  const words = text.toLowerCase().match(WORD) ?? [];
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    add(word, 1);
    if (index > 0) add(`${words[index - 1]} ${word}`, 2);
    const bounded = `<${word}>`;
    for (let size = 3; size <= 4; size++) {
      for (let start = 0; start + size <= bounded.length; start++) add(bounded.slice(start, start + size), 3);
    }
  }
  // A bias feature, so an empty input still has a (learned) answer.
  add("", 4);
  let norm = 0;
  for (const count of counts.values()) norm += count * count;
  norm = Math.sqrt(norm);
  const indices = new Int32Array(counts.size);
  const values = new Float32Array(counts.size);
  let position = 0;
  for (const [index, count] of counts) {
    indices[position] = index;
    values[position] = count / norm;
    position++;
  }
  return { indices, values };
}
