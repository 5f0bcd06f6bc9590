/** Types for check-links.mjs (imported by test/package/links.test.ts). */
export declare const REPOSITORY: string;
export declare function headingIds(markdown: string): Set<string>;
export declare function markdownLinks(markdown: string): { target: string; line: number }[];
export declare function checkLinks(dir: string, options?: { repoRoot?: string; repository?: string }): string[];
