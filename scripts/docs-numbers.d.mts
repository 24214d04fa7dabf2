// Types of scripts/docs-numbers.mjs (the docs number checks) for the tests.
export type Roots = Record<string, unknown>;
export const MARKER: RegExp;
export function documentFiles(root: string): string[];
export function valueAt(roots: Roots, ref: string): unknown;
export function formatValue(value: unknown): string;
export function fillMarkers(text: string, roots: Roots): string;
export function markerProblems(file: string, text: string, roots: Roots): string[];
export function numericPaths(node: unknown, path?: string[]): string[];
export function unmarkedNumbers(file: string, text: string, paths: string[]): string[];
export function yamlBlockProblems(file: string, text: string, config: unknown): string[];
export const BLOCK: RegExp;
export function fillBlocks(text: string, generators: Record<string, () => string>): string;
export function blockProblems(file: string, text: string, generators: Record<string, () => string>): string[];
