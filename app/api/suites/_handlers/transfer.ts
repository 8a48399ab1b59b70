import { z } from "zod";
import { AppError } from "@/lib/errors";
import { bodyTooLarge, declaredLength } from "@/lib/http/read-body";
import type { RouteContext } from "@/lib/http/with-workspace";
import { configuredLimits } from "@/lib/configured-limits";
import { exportCases } from "@/lib/suites/export-cases";
import { importCases, type ImportSummary } from "@/lib/suites/import-cases";
import { caseFormats, type CaseFormat } from "@/lib/suites/schema";
import { getSuite } from "@/lib/suites/suites";
import { queryObject, type SuiteParams } from "./suites";

// Case files in and out. Both directions stream: the upload body goes straight into the parser (a 100,000-row file
// is never held whole), and the export is written a page of cases at a time.

const importQuery = z.object({
  format: z.enum(caseFormats, { error: 'format must be "csv", "jsonl" or "json"' }).optional(),
  /** the uploaded file's name: its extension gives the format when `format` is absent */
  filename: z.string().max(500).optional(),
  mode: z.enum(["append", "replace"], { error: 'mode must be "append" or "replace"' }).default("append"),
  discardResults: z.enum(["true", "false"]).default("false"),
});

const formatByContentType: Record<string, CaseFormat> = {
  "text/csv": "csv",
  "application/csv": "csv",
  "application/x-ndjson": "jsonl",
  "application/jsonl": "jsonl",
  "application/x-jsonlines": "jsonl",
  "application/json": "json",
};

/** The format named in the query, else the file's extension, else the content type. */
export function importFormat(query: { format?: CaseFormat; filename?: string }, contentType: string | null): CaseFormat {
  if (query.format) return query.format;
  const extension = query.filename?.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  if (extension === "csv") return "csv";
  if (extension === "jsonl" || extension === "ndjson") return "jsonl";
  if (extension === "json") return "json";
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  const byType = type ? formatByContentType[type] : undefined;
  if (byType) return byType;
  throw new AppError(
    "bad_request",
    "import",
    "Cannot tell the file's format: name it .csv, .jsonl or .json, or pass ?format=csv|jsonl|json.",
    [{ path: "format", message: "csv, jsonl or json" }],
  );
}

export async function importCasesHandler({ request, member, params }: RouteContext<SuiteParams>): Promise<ImportSummary> {
  const query = importQuery.parse(queryObject(request));
  const format = importFormat(query, request.headers.get("content-type"));
  if (!request.body) throw new AppError("bad_request", "import", "The upload is empty: send the file as the request body.");
  // A declared size over the cap is refused before the transaction opens; an undeclared one is counted as it streams.
  const length = declaredLength(request);
  if (length !== null && length > configuredLimits.importBytes) {
    throw bodyTooLarge(configuredLimits.importBytes, "ASSAY_MAX_IMPORT_BYTES", "The file");
  }
  return importCases(member.workspace.id, params.id, request.body, format, {
    mode: query.mode,
    discardResults: query.discardResults === "true",
  });
}

const exportQuery = z.object({
  format: z.enum(caseFormats, { error: 'format must be "csv", "jsonl" or "json"' }).default("jsonl"),
});

const contentTypes: Record<CaseFormat, string> = {
  csv: "text/csv; charset=utf-8",
  jsonl: "application/x-ndjson; charset=utf-8",
  json: "application/json; charset=utf-8",
};

export async function exportCasesHandler({ request, member, params }: RouteContext<SuiteParams>): Promise<Response> {
  const { format } = exportQuery.parse(queryObject(request));
  const suite = await getSuite(member.workspace.id, params.id);
  const chunks = exportCases(suite.id, format);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "content-type": contentTypes[format],
      "content-disposition": attachment(`${fileStem(suite.name)}.${format}`),
      "cache-control": "no-store",
    },
  });
}

function fileStem(name: string): string {
  // Only what file systems refuse is replaced; the rest of the name (accents included) is kept.
  // eslint-disable-next-line no-control-regex -- control characters are among what file systems refuse
  const stem = name.replace(/[/\\:*?"<>|\u0000-\u001f]+/g, "-").trim();
  return stem || "suite";
}

/** An ASCII fallback name plus the RFC 5987 form, so non-ASCII suite names survive the download. */
function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
