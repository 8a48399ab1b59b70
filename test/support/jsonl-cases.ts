// A JSONL case file of `count` rows, generated in chunks of 500 lines so an import test or benchmark streams it
// without holding it in memory. `bad` replaces chosen lines (1-based) with text of the caller's choosing.
export async function* jsonlCases(
  count: number,
  bad: Record<number, string> = {},
  onProgress?: (line: number) => void,
): AsyncGenerator<string> {
  let chunk = "";
  for (let line = 1; line <= count; line++) {
    if (line % 10_000 === 0) onProgress?.(line);
    chunk +=
      bad[line] ??
      JSON.stringify({
        key: `k${String(line).padStart(6, "0")}`,
        variables: { question: `What is ${line} + ${line}?`, topic: line % 2 ? "odd" : "even" },
        expected: String(line * 2),
        tags: [line % 3 === 0 ? "three" : "other"],
      });
    chunk += "\n";
    if (line % 500 === 0) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}
