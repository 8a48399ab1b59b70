import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findSwallowedErrors } from "../support/swallowed-errors.ts";

const root = path.resolve(import.meta.dirname, "../..");
const SCANNED = ["lib", "app", "components", "cli", "proxy.ts", "instrumentation.ts"];

function sourceFiles(entry: string): string[] {
  const full = path.join(root, entry);
  if (/\.tsx?$/.test(entry)) return [full];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((item) => item.isFile() && /\.tsx?$/.test(item.name))
    .map((item) => path.join(item.parentPath, item.name));
}

describe("the detector", () => {
  it("flags empty catch blocks, with or without a binding", () => {
    expect(findSwallowedErrors("try { a(); } catch {}")).toEqual([{ line: 1, kind: "empty catch", text: "try { a(); } catch {}" }]);
    expect(findSwallowedErrors("try {\n  a();\n} catch (error) {\n}\n").map((found) => [found.line, found.kind])).toEqual([[3, "empty catch"]]);
    expect(findSwallowedErrors("try { a(); } catch (error: unknown) { }").map((found) => found.kind)).toEqual(["empty catch"]);
  });

  it("flags a catch that drops its error: no binding and no rethrow, or a binding the body never uses", () => {
    const source = ["try { a(); } catch {", "  return false;", "}", "try { b(); } catch (error) { return '}'; }"].join("\n");
    expect(findSwallowedErrors(source).map((found) => [found.line, found.kind])).toEqual([
      [1, "catch drops the error"],
      [4, "catch drops the error"],
    ]);
  });

  it("flags constant .catch fallbacks, one line or several", () => {
    const source = ["x.catch(() => {});", "y.catch(() => undefined);", "z.catch((_error) => null);", "w.catch(() => {", "});", 'v.catch(() => "");'].join("\n");
    expect(findSwallowedErrors(source).map((found) => found.line)).toEqual([1, 2, 3, 4, 6]);
  });

  it("accepts a comment on the line, the line before, or the first line inside", () => {
    expect(findSwallowedErrors("try { a(); } catch {} // the file may be gone")).toEqual([]);
    expect(findSwallowedErrors("// not listening yet\ntry { a(); } catch {}")).toEqual([]);
    expect(findSwallowedErrors("try { a(); } catch {\n  // not listening yet\n}")).toEqual([]);
    expect(findSwallowedErrors("// a failed cancel changes nothing\nawait reader.cancel().catch(() => undefined);")).toEqual([]);
  });

  it("accepts handlers that keep the error: rethrown, reported, or replaced by a thrown one", () => {
    expect(findSwallowedErrors("try { a(); } catch (error) { log(`failed: ${messageOf(error)}`); }")).toEqual([]);
    expect(findSwallowedErrors("try { a(); } catch {\n  throw new AppError('bad_request', 'input', 'not JSON');\n}")).toEqual([]);
    expect(findSwallowedErrors("p.catch((error: unknown) => sendError(response, error));")).toEqual([]);
    expect(findSwallowedErrors("p.catch(() => cache.delete(key));")).toEqual([]);
  });

  it("does not count a comment two lines away", () => {
    expect(findSwallowedErrors("// why\nconst x = 1;\ntry { a(); } catch {}").map((found) => found.line)).toEqual([3]);
  });
});

describe("the source tree", () => {
  it("swallows no error without a comment saying why", () => {
    const files = SCANNED.flatMap(sourceFiles);
    // The scan reaches the code it guards: a wrong root would pass with nothing read.
    expect(files).toContain(path.join(root, "lib/http/read-body.ts"));
    expect(files).toContain(path.join(root, "components/runs/use-run-progress.ts"));
    const problems = files.flatMap((file) =>
      findSwallowedErrors(readFileSync(file, "utf8")).map((found) => `${path.relative(root, file)}:${found.line} ${found.kind}: ${found.text}`),
    );
    expect(problems).toEqual([]);
  });
});
