import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { CheckContext } from '../../base/model/check.js';
import { fetchSeries, type MetricSpec, periodFor, queriesFor, type Series } from './series.js';

/** A check's place in the run's GetMetricData batch. */
export interface MetricTicket {
  /**
   * Submits the specs' queries and resolves with one series per spec (same order; undefined when
   * CloudWatch returned no datapoints). Rejects when `signal` aborts, without cancelling the
   * others' shared call.
   */
  fetch(specs: readonly MetricSpec[], signal?: AbortSignal): Promise<(Series | undefined)[]>;
  /** Leaves without submitting (no metrics to ask for, or a failure before); no-op after fetch. */
  leave(): void;
}

interface Pending {
  queries: MetricDataQuery[];
  resolve(series: Map<string, Series>): void;
  reject(error: unknown): void;
}

/** How long submitted queries wait for a member still gathering its facts (an ALB lookup) before going alone. */
export const MAX_BATCH_WAIT_MS = 3000;

/**
 * Every metrics check of a run sends its queries through one batch, so a symptom needing RDS, ECS,
 * ALB and payment metrics makes one GetMetricData call (more only above 500 queries, or pages).
 * Checks join before their first await; the batch is sent once every member has submitted or left
 * and the event loop has run the checks that are still starting (a setImmediate later), or after
 * `maxWaitMs`, so that one hanging lookup does not make every metrics check time out with it.
 */
export class MetricBatch {
  private members = 0;
  private tickets = 0;
  private queue: Pending[] = [];
  private scheduled = false;
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (queries: MetricDataQuery[]) => Promise<Map<string, Series>>,
    private readonly maxWaitMs = MAX_BATCH_WAIT_MS,
  ) {}

  join(period: number): MetricTicket {
    this.members += 1;
    // The first ticket keeps the plain ids (q0, q1_errors) a lone check has always used.
    const prefix = this.tickets === 0 ? 'q' : `m${this.tickets}q`;
    this.tickets += 1;
    let done = false;
    const finish = () => {
      if (done) return false;
      done = true;
      this.members -= 1;
      return true;
    };
    return {
      leave: () => {
        if (finish()) this.schedule();
      },
      fetch: (specs, signal) => {
        if (!finish()) return Promise.reject(new Error('internal: a metric ticket fetched twice'));
        if (specs.length === 0) {
          this.schedule();
          return Promise.resolve([]);
        }
        const queries = queriesFor(specs, period, prefix);
        const answer = new Promise<Map<string, Series>>((resolve, reject) => {
          this.queue.push({ queries, resolve, reject });
        });
        this.schedule();
        const series = answer.then((byId) => specs.map((_, i) => byId.get(`${prefix}${i}`)));
        return signal ? abortable(series, signal) : series;
      },
    };
  }

  private schedule() {
    if (this.queue.length === 0) return;
    if (this.members > 0) {
      this.deadline ??= setTimeout(() => this.flush(), this.maxWaitMs);
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.members > 0) return; // a late joiner: its submit (or the deadline) sends the call
      this.flush();
    });
  }

  private flush() {
    clearTimeout(this.deadline);
    this.deadline = undefined;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    this.send(batch.flatMap((p) => p.queries)).then(
      (series) => {
        for (const p of batch) p.resolve(series);
      },
      (error) => {
        for (const p of batch) p.reject(error);
      },
    );
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const batches = new WeakMap<Promise<unknown>, MetricBatch>();

/**
 * Joins the run's metric batch (kept in the run's fact cache, one per window: the run's look-back by
 * default). Call it before the check's first await, so that the batch waits for this check's queries.
 */
export function joinMetricBatch(
  ctx: CheckContext,
  window: { start: Date; end: Date } = { start: ctx.since, end: ctx.now },
): MetricTicket {
  const period = periodFor(window.end.getTime() - window.start.getTime());
  const create = () => {
    const batch = new MetricBatch(async (queries) =>
      // No check's own signal: one check timing out must not cancel the call the others share.
      fetchSeries(await ctx.aws.cloudwatch(), queries, window),
    );
    const created = Promise.resolve(batch);
    batches.set(created, batch);
    return created;
  };
  const cached = ctx.once(
    `cloudwatch.metric-batch.${window.start.getTime()}-${window.end.getTime()}`,
    create,
  );
  // A fact cache that wraps promises hides the batch: this check then makes its own call.
  const batch = batches.get(cached) ?? batches.get(create())!;
  return batch.join(period);
}
