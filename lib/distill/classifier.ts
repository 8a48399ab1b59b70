import { featurize, type SparseVector } from "./features.ts";
import { seededRandom, shuffle } from "./random.ts";

// The classifier student: hashed word and character n-gram features (features.ts) into a softmax, one head per
// output field (a label task has one head, field null). Trained with plain SGD on cross-entropy, examples shuffled
// by a seeded generator, so the same rows and seed give the same weights. Thousands of examples train in about a
// second on one core; predicting is one sparse dot product per class.

export type ClassValue = string | boolean;

export interface HeadSpec {
  /** null for a label task; the JSON field otherwise */
  field: string | null;
  /** the classes as the student answers them, e.g. "positive", or for a boolean field true/false */
  values: ClassValue[];
}

export interface TrainOptions {
  /** hashed feature dimensions (default 2^18) */
  dimensions?: number;
  epochs?: number;
  learningRate?: number;
  seed?: number;
}

export interface ClassifierExample {
  input: string;
  /** per head, the index of the teacher's class in head.values */
  classes: number[];
}

interface Head extends HeadSpec {
  bias: Float32Array;
  /** dimensions × classes, row-major by feature */
  weights: Float32Array;
}

export interface Prediction {
  field: string | null;
  /** the most probable class */
  value: ClassValue;
  /** the head's classes */
  values: ClassValue[];
  /** probability of each class, in the order of values */
  probabilities: number[];
}

const DEFAULT_DIMENSIONS = 1 << 18;

function scores(head: Head, features: SparseVector, out: Float64Array): void {
  const classes = head.values.length;
  for (let c = 0; c < classes; c++) out[c] = head.bias[c]!;
  for (let position = 0; position < features.indices.length; position++) {
    const row = features.indices[position]! * classes;
    const value = features.values[position]!;
    for (let c = 0; c < classes; c++) out[c]! += head.weights[row + c]! * value;
  }
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, out[c]!);
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    out[c] = Math.exp(out[c]! - max);
    sum += out[c]!;
  }
  for (let c = 0; c < classes; c++) out[c]! /= sum;
}

export class ClassifierStudent {
  readonly dimensions: number;
  private readonly heads: Head[];

  private constructor(dimensions: number, heads: Head[]) {
    this.dimensions = dimensions;
    this.heads = heads;
  }

  get specs(): HeadSpec[] {
    return this.heads.map((head) => ({ field: head.field, values: head.values.slice() }));
  }

  static train(specs: HeadSpec[], examples: ClassifierExample[], options: TrainOptions = {}): ClassifierStudent {
    const training = ClassifierStudent.epochs(specs, examples, options);
    let step = training.next();
    while (!step.done) step = training.next();
    return step.value;
  }

  /**
   * The same training as train(), yielding to the event loop between epochs and reporting each epoch's mean
   * cross-entropy (over the examples and heads, measured before each example's update). `shouldStop` is asked after
   * every epoch; true ends the training with null.
   */
  static async trainAsync(
    specs: HeadSpec[],
    examples: ClassifierExample[],
    options: TrainOptions & {
      onEpoch?: (point: { epoch: number; loss: number }) => void | Promise<void>;
      shouldStop?: () => boolean | Promise<boolean>;
    } = {},
  ): Promise<ClassifierStudent | null> {
    const training = ClassifierStudent.epochs(specs, examples, options);
    for (;;) {
      const step = training.next();
      if (step.done) return step.value;
      await options.onEpoch?.(step.value);
      if (await options.shouldStop?.()) return null;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private static *epochs(
    specs: HeadSpec[],
    examples: ClassifierExample[],
    options: TrainOptions,
  ): Generator<{ epoch: number; loss: number }, ClassifierStudent, void> {
    const dimensions = options.dimensions ?? DEFAULT_DIMENSIONS;
    const epochs = options.epochs ?? 10;
    const baseRate = options.learningRate ?? 1;
    const random = seededRandom(options.seed ?? 1);
    const heads: Head[] = specs.map((spec) => ({
      field: spec.field,
      values: spec.values.slice(),
      bias: new Float32Array(spec.values.length),
      weights: new Float32Array(dimensions * spec.values.length),
    }));
    const featured = examples.map((example) => ({ features: featurize(example.input, dimensions), classes: example.classes }));
    const probabilities = new Float64Array(Math.max(1, ...specs.map((spec) => spec.values.length)));
    for (let epoch = 0; epoch < epochs; epoch++) {
      // A decaying step: large early for speed, small late so the last examples seen do not dominate.
      const rate = baseRate / (1 + epoch);
      let lossSum = 0;
      let lossCount = 0;
      for (const example of shuffle(featured, random)) {
        heads.forEach((head, headIndex) => {
          const target = example.classes[headIndex]!;
          scores(head, example.features, probabilities);
          lossSum -= Math.log(Math.max(probabilities[target]!, 1e-12));
          lossCount++;
          const classes = head.values.length;
          for (let c = 0; c < classes; c++) {
            const gradient = probabilities[c]! - (c === target ? 1 : 0);
            if (gradient === 0) continue;
            head.bias[c]! -= rate * gradient;
            for (let position = 0; position < example.features.indices.length; position++) {
              const row = example.features.indices[position]! * classes;
              head.weights[row + c]! -= rate * gradient * example.features.values[position]!;
            }
          }
        });
      }
      yield { epoch: epoch + 1, loss: lossCount === 0 ? 0 : lossSum / lossCount };
    }
    return new ClassifierStudent(dimensions, heads);
  }

  predict(input: string): Prediction[] {
    const features = featurize(input, this.dimensions);
    return this.heads.map((head) => {
      const out = new Float64Array(head.values.length);
      scores(head, features, out);
      let best = 0;
      for (let c = 1; c < out.length; c++) if (out[c]! > out[best]!) best = c;
      return { field: head.field, value: head.values[best]!, values: head.values, probabilities: Array.from(out) };
    });
  }

  /** The stored form: only feature rows with a weight (most of the hashed space is never touched). */
  serialize(): SerializedClassifier {
    return {
      format: "assay-classifier-1",
      dimensions: this.dimensions,
      heads: this.heads.map((head) => {
        const classes = head.values.length;
        const rows: number[] = [];
        for (let row = 0; row < this.dimensions; row++) {
          for (let c = 0; c < classes; c++) {
            if (head.weights[row * classes + c] !== 0) {
              rows.push(row);
              break;
            }
          }
        }
        const packed = new Float32Array(rows.length * classes);
        rows.forEach((row, position) => packed.set(head.weights.subarray(row * classes, (row + 1) * classes), position * classes));
        return {
          field: head.field,
          values: head.values.slice(),
          bias: Array.from(head.bias),
          rows: Buffer.from(new Int32Array(rows).buffer).toString("base64"),
          weights: Buffer.from(packed.buffer).toString("base64"),
        };
      }),
    };
  }

  static deserialize(data: unknown): ClassifierStudent {
    const stored = data as Partial<SerializedClassifier> | null;
    if (!stored || stored.format !== "assay-classifier-1" || !Number.isInteger(stored.dimensions) || !Array.isArray(stored.heads)) {
      throw new Error("Not a stored classifier student (format assay-classifier-1 expected)");
    }
    const dimensions = stored.dimensions!;
    const heads = stored.heads.map((head, index): Head => {
      const classes = head.values.length;
      const rowBytes = Buffer.from(head.rows, "base64");
      const weightBytes = Buffer.from(head.weights, "base64");
      if (rowBytes.byteLength % 4 !== 0 || weightBytes.byteLength % 4 !== 0) {
        throw new Error(`Stored classifier student: head ${index} has rows or weights that are not whole 4-byte numbers`);
      }
      const rows = new Int32Array(rowBytes.buffer.slice(rowBytes.byteOffset, rowBytes.byteOffset + rowBytes.byteLength));
      const packed = new Float32Array(weightBytes.buffer.slice(weightBytes.byteOffset, weightBytes.byteOffset + weightBytes.byteLength));
      if (packed.length !== rows.length * classes || head.bias.length !== classes) {
        throw new Error(`Stored classifier student: head ${index} has ${packed.length} weights for ${rows.length} rows × ${classes} classes`);
      }
      const weights = new Float32Array(dimensions * classes);
      rows.forEach((row, position) => {
        if (row < 0 || row >= dimensions) throw new Error(`Stored classifier student: head ${index} has row ${row} outside ${dimensions} dimensions`);
        weights.set(packed.subarray(position * classes, (position + 1) * classes), row * classes);
      });
      return { field: head.field, values: head.values.slice(), bias: Float32Array.from(head.bias), weights };
    });
    return new ClassifierStudent(dimensions, heads);
  }
}

export interface SerializedClassifier {
  format: "assay-classifier-1";
  dimensions: number;
  heads: { field: string | null; values: ClassValue[]; bias: number[]; rows: string; weights: string }[];
}

/** The student's answer as text: the class for a label task, a JSON object of the fields for a fields task. */
export function answerText(predictions: Prediction[]): string {
  if (predictions.length === 1 && predictions[0]!.field === null) return String(predictions[0]!.value);
  return JSON.stringify(Object.fromEntries(predictions.map((prediction) => [prediction.field, prediction.value])));
}
