import cluster from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";

const REQUEST = "costgate:metrics-request";
const ANSWER = "costgate:metrics-answer";

interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/**
 * In an API process of a cluster: a function that answers /metrics for the whole cluster (the
 * primary asks every process for `registry` and adds them up: counters and histograms summed,
 * prom-client's rule per default metric). Null outside a cluster (the process's own registry).
 */
export function clusterMetrics(registry: Registry): (() => Promise<string>) | null {
  if (!cluster.isWorker) return null;
  AggregatorRegistry.setRegistries([registry]);
  // Constructed in a worker, it answers the primary's requests for this process's metrics.
  new AggregatorRegistry();
  const pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  let next = 0;
  process.on("message", (message: Answer) => {
    if (message?.type !== ANSWER) return;
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiting?.reject(new Error(message.error));
    else waiting?.resolve(message.text ?? "");
  });
  return () =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      process.send!({ type: REQUEST, id });
    });
}

/** In the primary: answers the API processes' requests for the cluster's metrics. */
export function answerMetricsRequests(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: { type?: string; id: number }) => {
    if (message?.type !== REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id: message.id, text } satisfies Answer),
      (err: Error) => worker.send({ type: ANSWER, id: message.id, error: err.message } satisfies Answer),
    );
  });
}
