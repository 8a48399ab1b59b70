export declare function buildCli(outdir?: string): Promise<{ outdir: string; inputs: number; ms: number }>;
