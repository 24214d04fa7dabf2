import type { ChalkInstance } from 'chalk';
import { UsageError } from '../base/model/errors.js';
import { type Report, reportExitCode } from '../base/model/finding.js';
import { hideUrlCredentials } from '../base/model/text.js';
import { type PublishOptions, startPublication } from './publish.js';
import { cleanDeep, makeChalk, OUTPUT_FORMATS, type OutputFormat, render } from './render.js';
import type { OutputStream } from './runtime.js';

/**
 * The one printer (docs/architecture.md, "Output"): `--output` is parsed once per command into a
 * Printer; every command says which formats it prints, and any other is refused (exit 2), never
 * silently printed as text. Reports (findings) and views (anything else: deployments, the maintenance
 * window, config, runbook lists) both go through it, and text fsops did not write is neutralised
 * (control and escape sequences, bidi overrides) in every format but JSON, which escapes them itself.
 */
export interface PrinterOptions extends PublishOptions {
  output?: string;
  strict?: boolean;
  onlyProblems?: boolean;
  color?: boolean;
}

/** Something that is not a report of findings: its data, and how a person reads it. */
export interface View<T> {
  /** The data; `--output json` prints it as is, other formats get it with untrusted text neutralised. */
  data: T;
  text(data: T, c: ChalkInstance): string;
  markdown?(data: T): string;
  /** One JSON object per line under `--output json` (a stream of events), instead of indented JSON. */
  jsonLine?: boolean;
}

export interface Printer {
  format: OutputFormat;
  /** Colors for stdout (off under NO_COLOR, --no-color, and machine output). */
  chalk: ChalkInstance;
  /** Prints a report and returns its exit code (130 interrupted, 1 a check failed, 3 could not check, --strict). */
  report(report: Report): number;
  view<T>(view: View<T>): void;
}

/** The formats of reports of findings (every check command); views declare fewer. */
export const REPORT_FORMATS: readonly OutputFormat[] = OUTPUT_FORMATS;
export const VIEW_FORMATS: readonly OutputFormat[] = ['text', 'json'];

export function parseOutput(
  output: string | undefined,
  command: string,
  supported: readonly OutputFormat[] = REPORT_FORMATS,
): OutputFormat {
  const format = output ?? 'text';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`unknown output format '${format}': valid formats are ${OUTPUT_FORMATS.join(', ')}`);
  }
  if (!supported.includes(format as OutputFormat)) {
    const list =
      supported.length > 1 ? `${supported.slice(0, -1).join(', ')} or ${supported.at(-1)}` : supported[0];
    throw new UsageError(`${command} prints ${list}, not ${format}: use --output ${supported.join('|')}`);
  }
  return format as OutputFormat;
}

export function printerFor(
  options: PrinterOptions,
  command: string,
  supported: readonly OutputFormat[] = REPORT_FORMATS,
  /**
   * The command's runtime (src/engine/runtime.ts): results go to its stdout, a failed `--publish` is
   * said on its stderr.
   */
  runtime: { stdout: OutputStream; stderr: OutputStream },
): Printer {
  const { stdout } = runtime;
  // Every format, every command: a URL's credentials never reach the output (src/base/model/text.ts).
  const write = (text: string) => {
    stdout.write(hideUrlCredentials(text));
  };
  const format = parseOutput(options.output, command, supported);
  const chalk = makeChalk(format === 'text' ? options.color : false);
  return {
    format,
    chalk,
    report(report) {
      write(render(report, format, { onlyProblems: options.onlyProblems, color: options.color }));
      // --publish (src/engine/publish.ts): the run as CloudWatch metrics; the entry point waits for it.
      if (options.publish) startPublication(report, options, runtime.stderr);
      return reportExitCode(report, options.strict ?? false);
    },
    view(view) {
      if (format === 'json') {
        write(`${view.jsonLine ? JSON.stringify(view.data) : JSON.stringify(view.data, null, 2)}\n`);
        return;
      }
      const data = cleanDeep(view.data);
      const text = format === 'markdown' && view.markdown ? view.markdown(data) : view.text(data, chalk);
      write(text.endsWith('\n') ? text : `${text}\n`);
    },
  };
}
