import { readdir, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { db, Prisma } from "../db.ts";
import { env, localModelServerUrl } from "../env.ts";
import { AppError, isUniqueViolation } from "../errors.ts";
import { registerLocalModelInput, measureLocalModelInput, type MeasureLocalModelInput, type RegisterLocalModelInput } from "./catalog-schema.ts";
import { readGgufInfo, type GgufInfo } from "./gguf-info.ts";
import { allowedModelFolders, canSeeModelPaths, isInAllowedFolders, outsideAllowedFolders, resolveRegistrablePath } from "./model-paths.ts";
import { localModelKeyFor } from "./workspace-key.ts";
import type { Role } from "../generated/prisma/client.ts";
import { fetchServerStatus, measureSpeed, type LiveModelMetrics, type ServerStatus, type SpeedMeasurement } from "./server-client.ts";

// What the Models page shows and does: the .gguf files of the models folder and the files users registered by path
// (LocalModel rows), each described from its GGUF header, with its stored measured speed and the live figures of the
// model server. Registered and folder models are added to the workspace's local connections, so they appear in the
// playground's model picker with no set-up.

/** The server's default context per sequence (serve-model caps the model's own at this unless --context-size). */
const SERVER_CONTEXT_CAP = 4096;

export interface LocalModelView {
  /** the LocalModel row, when the model is registered or was measured */
  id: string | null;
  /** what requests name in `model` */
  name: string;
  source: "folder" | "registered";
  /** where the file is on disk; null for members who see file names only (canSeeModelPaths) */
  path: string | null;
  file: string;
  sizeBytes: number | null;
  architecture: string | null;
  quantization: string | null;
  parameterCount: number | null;
  contextLength: number | null;
  /** the model's own name from its header (general.name) */
  title: string | null;
  /** why the file cannot be served (missing, not a GGUF), or null */
  problem: string | null;
  /** a folder file with the same name is served instead of this registration */
  shadowed: boolean;
  /** stored by "Measure speed" */
  tokensPerSecond: number | null;
  live: LiveModelMetrics | null;
}

export interface LocalModelsPage {
  /** null for members who see file names only */
  modelsDir: string | null;
  /** the folders files may be registered from (ASSAY_MODELS_DIR, ASSAY_MODEL_PATHS); null as modelsDir */
  allowedFolders: string[] | null;
  server: { url: string; reachable: boolean; message: string | null };
  models: LocalModelView[];
}

/** A view as the model server and the database know it, before it is shaped for a member. */
type FullView = Omit<LocalModelView, "path"> & { path: string };
type FullPage = Omit<LocalModelsPage, "modelsDir" | "allowedFolders" | "models"> & { modelsDir: string; allowedFolders: string[]; models: FullView[] };

export function modelsDirectory(): string {
  return path.resolve(env.ASSAY_MODELS_DIR);
}

/**
 * The workspace's local connection URL, else where `assay start` runs the server, with the workspace's key: the
 * server lists and serves a workspace's registered models only to requests carrying it.
 */
async function serverTarget(workspaceId: string): Promise<{ baseUrl: string; apiKey?: string }> {
  const connection = await db.connection.findFirst({ where: { workspaceId, kind: "local" }, orderBy: { createdAt: "asc" } });
  const baseUrl = connection?.baseUrl ?? localModelServerUrl();
  const apiKey = await localModelKeyFor(workspaceId, baseUrl);
  return apiKey ? { baseUrl, apiKey } : { baseUrl };
}

/** Absolute paths become file names (and the models folder its description) for members who may not see them. */
function shapeFor(role: Role, page: FullPage): LocalModelsPage {
  if (canSeeModelPaths(role)) return page;
  const hide = (text: string | null, model: FullView) =>
    text === null ? null : text.replaceAll(model.path, model.file).replaceAll(page.modelsDir, "the models folder");
  return {
    ...page,
    modelsDir: null,
    allowedFolders: null,
    models: page.models.map((model) => ({ ...model, path: null, problem: hide(model.problem, model) })),
  };
}

async function describe(filePath: string): Promise<{ info: GgufInfo | null; problem: string | null }> {
  try {
    return { info: await readGgufInfo(filePath), problem: null };
  } catch (error) {
    if (error instanceof AppError) return { info: null, problem: error.message };
    const code = (error as NodeJS.ErrnoException).code;
    return { info: null, problem: code === "EACCES" ? `Assay may not read ${filePath}` : String(error) };
  }
}

async function folderFiles(modelsDir: string): Promise<{ name: string; path: string }[]> {
  try {
    const files = await readdir(modelsDir);
    return files
      .filter((file) => file.endsWith(".gguf"))
      .sort()
      .map((file) => ({ name: file.slice(0, -".gguf".length), path: path.join(modelsDir, file) }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

function view(
  base: { id: string | null; name: string; source: "folder" | "registered"; path: string; tokensPerSecond: number | null; shadowed: boolean },
  described: { info: GgufInfo | null; problem: string | null },
  live: LiveModelMetrics | undefined,
): FullView {
  const { info } = described;
  return {
    ...base,
    file: path.basename(base.path),
    sizeBytes: info?.sizeBytes ?? null,
    architecture: info?.architecture ?? null,
    quantization: info?.quantization ?? null,
    parameterCount: info?.parameterCount ?? null,
    contextLength: info?.contextLength ?? null,
    title: info?.name ?? null,
    problem: described.problem,
    live: live ?? null,
  };
}

/** Adds missing models to the workspace's local connections (prices 0, context as the server runs it). */
async function addToLocalConnections(
  client: Prisma.TransactionClient | typeof db,
  workspaceId: string,
  models: { name: string; contextLength: number | null }[],
): Promise<void> {
  if (models.length === 0) return;
  const connections = await client.connection.findMany({ where: { workspaceId, kind: "local" }, select: { id: true } });
  if (connections.length === 0) return;
  await client.connectionModel.createMany({
    data: connections.flatMap((connection) =>
      models.map((model) => ({
        connectionId: connection.id,
        name: model.name,
        contextWindow: model.contextLength === null ? null : Math.min(model.contextLength, SERVER_CONTEXT_CAP),
        inputPricePerM: 0,
        outputPricePerM: 0,
      })),
    ),
    skipDuplicates: true,
  });
}

/** The Models page of a workspace as `role` may see it: file names only, unless the role manages local models. */
export async function listLocalModels(workspaceId: string, role: Role, options: { fetch?: typeof fetch } = {}): Promise<LocalModelsPage> {
  return shapeFor(role, await loadLocalModels(workspaceId, options));
}

async function loadLocalModels(workspaceId: string, options: { fetch?: typeof fetch }): Promise<FullPage> {
  const modelsDir = modelsDirectory();
  const [files, rows, target] = await Promise.all([
    folderFiles(modelsDir),
    db.localModel.findMany({ where: { workspaceId }, orderBy: { createdAt: "asc" } }),
    serverTarget(workspaceId),
  ]);
  const status: ServerStatus = await fetchServerStatus({ ...target, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const liveOf = (name: string) => (status.reachable ? status.models[name] : undefined);
  const rowsByName = new Map(rows.map((row) => [row.name, row]));
  const folderNames = new Set(files.map((file) => file.name));

  const folder = await Promise.all(
    files.map(async (file) => {
      const row = rowsByName.get(file.name);
      const measured = row && row.path === file.path ? row : undefined;
      return view(
        { id: measured?.id ?? null, name: file.name, source: "folder", path: file.path, tokensPerSecond: measured?.tokensPerSecond ?? null, shadowed: false },
        await describe(file.path),
        liveOf(file.name),
      );
    }),
  );
  const registered = await Promise.all(
    rows
      // A folder model's own row only stores its measured speed.
      .filter((row) => !(folderNames.has(row.name) && row.path === path.join(modelsDir, `${row.name}.gguf`)))
      .map(async (row) =>
        view(
          { id: row.id, name: row.name, source: "registered", path: row.path, tokensPerSecond: row.tokensPerSecond, shadowed: folderNames.has(row.name) },
          // Registered before the folders rule, or its folder left ASSAY_MODEL_PATHS: not read, and not served.
          (await isInAllowedFolders(row.path))
            ? await describe(row.path)
            : { info: null, problem: `${outsideAllowedFolders().message} The model server does not serve this file; remove it, or add its folder to ASSAY_MODEL_PATHS.` },
          folderNames.has(row.name) ? undefined : liveOf(row.name),
        ),
      ),
  );
  const models = [...folder, ...registered];
  // Files dropped into the folder reach the model picker without a trip to the Connections page.
  await addToLocalConnections(
    db,
    workspaceId,
    folder.filter((model) => model.problem === null).map((model) => ({ name: model.name, contextLength: model.contextLength })),
  );
  return {
    modelsDir,
    allowedFolders: allowedModelFolders(),
    server: { url: status.url, reachable: status.reachable, message: status.reachable ? null : status.message },
    models,
  };
}

function expandHome(filePath: string): string {
  return filePath === "~" || filePath.startsWith("~/") ? path.join(os.homedir(), filePath.slice(1)) : filePath;
}

function defaultName(filePath: string): string {
  const base = path.basename(filePath).replace(/\.gguf$/i, "");
  return base.replace(/[^A-Za-z0-9._:@+-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "") || "model";
}

function pathError(message: string): AppError {
  return new AppError("bad_request", "model", message, [{ path: "path", message }]);
}

function nameConflict(message: string): AppError {
  return new AppError("conflict", "model", message, [{ path: "name", message }]);
}

/**
 * Registers a GGUF file by path after checking it lies in an allowed folder (symlinks resolved), exists, is a file,
 * and is a GGUF; the real path is stored, and the server serves it at once.
 */
export async function registerLocalModel(workspaceId: string, input: RegisterLocalModelInput): Promise<FullView> {
  const data = registerLocalModelInput.parse(input);
  const resolved = await resolveRegistrablePath(expandHome(data.path));
  if (resolved.state === "missing") throw pathError(`No file at ${resolved.path} on the machine Assay runs on.`);
  const filePath = resolved.realPath;
  let stats;
  try {
    stats = await stat(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw pathError(`No file at ${filePath} on the machine Assay runs on.`);
    if (code === "EACCES") throw pathError(`Assay may not read ${filePath}; check its permissions.`);
    throw error;
  }
  if (stats.isDirectory()) throw pathError(`${filePath} is a folder; give the path of a .gguf file inside it.`);
  if (!stats.isFile()) throw pathError(`${filePath} is not a regular file.`);
  let info: GgufInfo;
  try {
    info = await readGgufInfo(filePath);
  } catch (error) {
    if (error instanceof AppError) throw pathError(error.message);
    throw error;
  }
  const name = data.name ?? defaultName(filePath);
  const modelsDir = modelsDirectory();
  if ((await folderFiles(modelsDir)).some((file) => file.name === name)) {
    throw nameConflict(`"${name}" is already the name of a model in the models folder (${modelsDir}); choose another name.`);
  }
  const existing = await db.localModel.findMany({ where: { OR: [{ name }, { workspaceId, path: filePath }] } });
  const samePath = existing.find((row) => row.workspaceId === workspaceId && row.path === filePath);
  if (samePath) throw pathError(`This file is already registered as "${samePath.name}".`);
  if (existing.some((row) => row.name === name && row.workspaceId === workspaceId)) {
    throw nameConflict(`A model named "${name}" is already registered; choose another name.`);
  }
  // One model server serves every workspace: a name must mean one file.
  if (existing.some((row) => row.name === name && row.path !== filePath)) {
    throw nameConflict(`The model server already serves another file as "${name}"; choose another name.`);
  }
  try {
    const row = await db.$transaction(async (transaction) => {
      const created = await transaction.localModel.create({
        data: {
          workspaceId,
          name,
          path: filePath,
          sizeBytes: BigInt(info.sizeBytes),
          architecture: info.architecture,
          quantization: info.quantization,
          parameterCount: BigInt(info.parameterCount),
          contextLength: info.contextLength,
        },
      });
      await addToLocalConnections(transaction, workspaceId, [{ name, contextLength: info.contextLength }]);
      return created;
    });
    return view(
      { id: row.id, name, source: "registered", path: filePath, tokensPerSecond: null, shadowed: false },
      { info, problem: null },
      undefined,
    );
  } catch (error) {
    if (isUniqueViolation(error)) throw nameConflict(`A model named "${name}" is already registered; choose another name.`);
    throw error;
  }
}

/** Removes a registration (never the file) and the model from the workspace's local connections. */
export async function removeLocalModel(workspaceId: string, id: string): Promise<void> {
  const row = await db.localModel.findFirst({ where: { id, workspaceId } });
  if (!row) throw new AppError("not_found", "model", "This model is not registered in this workspace.");
  const folderPath = path.join(modelsDirectory(), `${row.name}.gguf`);
  if (row.path === folderPath && (await stat(folderPath).then(() => true, () => false))) {
    throw new AppError("bad_request", "model", `"${row.name}" is a file in the models folder; delete the file to remove it.`);
  }
  await db.$transaction([
    db.localModel.delete({ where: { id: row.id } }),
    db.connectionModel.deleteMany({ where: { name: row.name, connection: { workspaceId, kind: "local" } } }),
  ]);
}

/** Runs a short generation through the model server and stores the tokens per second on the model's row. */
export async function measureLocalModel(
  workspaceId: string,
  role: Role,
  input: MeasureLocalModelInput,
  options: { fetch?: typeof fetch } = {},
): Promise<SpeedMeasurement & { model: LocalModelView }> {
  const { name } = measureLocalModelInput.parse(input);
  const page = await loadLocalModels(workspaceId, options);
  const model = page.models.find((candidate) => candidate.name === name && !candidate.shadowed);
  if (!model) throw new AppError("not_found", "model", `No local model named "${name}" in this workspace.`);
  if (model.problem) throw new AppError("bad_request", "model", `"${name}" cannot be served: ${model.problem}`);
  const measurement = await measureSpeed({
    ...(await serverTarget(workspaceId)),
    model: name,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const row = await db.localModel.upsert({
    where: { workspaceId_name: { workspaceId, name } },
    update: { tokensPerSecond: measurement.tokensPerSecond },
    create: {
      workspaceId,
      name,
      path: model.path,
      sizeBytes: BigInt(model.sizeBytes ?? 0),
      architecture: model.architecture,
      quantization: model.quantization,
      parameterCount: model.parameterCount === null ? null : BigInt(model.parameterCount),
      contextLength: model.contextLength,
      tokensPerSecond: measurement.tokensPerSecond,
    },
  });
  const measured = { ...model, id: row.id, tokensPerSecond: measurement.tokensPerSecond };
  return { ...measurement, model: shapeFor(role, { ...page, models: [measured] }).models[0]! };
}
