export declare const MANIFEST: string;
export declare const BUNDLED_COMMANDS: string[];
export declare function bundleProblem(root: string, dir: string): string | null;
