// biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
export type Handler = (input: Record<string, any>, request?: { region: string }) => unknown;
export interface FakeAwsOptions {
  handlers?: Record<string, Record<string, Handler>>;
  http?: Record<string, { status: number; body?: string; delayMs?: number }>;
  faults?: { service: string; action: string; kind: 'throttle' | 'hang' | 'error500'; times?: number }[];
  delayMs?: number;
  /** Another account's answers, by the access key id that signed the request. */
  accounts?: Record<string, { handlers: Record<string, Record<string, Handler>> }>;
}
export interface FakeAws {
  url: string;
  port: number;
  /** Live: handlers and routes added after start are served. */
  handlers: Record<string, Record<string, Handler>>;
  http: Record<string, { status: number; body?: string; delayMs?: number }>;
  calls: {
    service: string;
    action: string;
    // biome-ignore lint/suspicious/noExplicitAny: AWS wire data of every shape
    input: Record<string, any>;
    at: number;
    region: string;
    accessKey: string;
  }[];
  accounts: Record<string, { handlers: Record<string, Record<string, Handler>> }>;
  close(): Promise<void>;
}
export class AwsFault extends Error {
  constructor(code: string, message?: string, status?: number);
  code: string;
  status: number;
}
export function startFakeAws(options?: FakeAwsOptions): Promise<FakeAws>;
export function toQueryXml(value: unknown, key?: string): string;
export function toS3Xml(value: unknown): string;
