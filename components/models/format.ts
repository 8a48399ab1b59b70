// Sizes and counts as people read them on model cards: 3.8 MB, 494 M parameters, 1.2 B.

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return "—";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function formatParameters(count: number | null): string {
  if (count === null) return "—";
  if (count >= 1e9) return `${(count / 1e9).toFixed(count >= 1e10 ? 0 : 1)} B`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(count >= 1e7 ? 0 : 1)} M`;
  if (count >= 1e3) return `${Math.round(count / 1e3)} K`;
  return String(count);
}

export function formatRate(tokensPerSecond: number | null | undefined): string {
  if (tokensPerSecond === null || tokensPerSecond === undefined) return "—";
  return `${tokensPerSecond >= 100 ? Math.round(tokensPerSecond).toLocaleString("en-US") : tokensPerSecond.toFixed(1)} tok/s`;
}
