import { open } from "node:fs/promises";

/**
 * Writes `contents` to a new file (mode 0600) and syncs it, or returns false when the file already exists. Creation
 * is exclusive, so two processes starting together agree on one secret: the loser reads the winner's file (and must
 * allow for it being still empty for a moment).
 */
export async function createSecretFile(file: string, contents: string | Buffer): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    await handle.writeFile(contents);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}
