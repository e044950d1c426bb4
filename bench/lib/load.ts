// Load generation: closed loop (C calls in flight for S seconds: peak throughput) and open loop
// (a fixed rate: latency at a given load). Latencies in ms.
export interface LoadResult {
  rate: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

function summarize(latencies: number[], seconds: number, errors: number): LoadResult {
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { rate: latencies.length / seconds, p50: at(0.5), p95: at(0.95), p99: at(0.99), errors };
}

export async function closedLoop(
  call: (i: number) => Promise<unknown>,
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  // warm up: connections, JIT, prepared statements
  await Promise.all(Array.from({ length: concurrency }, (_, i) => call(i).catch(() => undefined)));
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await call(n++);
          latencies.push(performance.now() - t);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  return summarize(latencies, seconds, errors);
}

export async function openLoop(
  call: (i: number) => Promise<unknown>,
  ratePerSecond: number,
  seconds: number,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  let sent = 0;
  const total = Math.floor(ratePerSecond * seconds);
  while (sent < total) {
    const due = Math.floor(((performance.now() - start) / 1000) * ratePerSecond);
    while (sent < Math.min(due, total)) {
      const t = performance.now();
      const i = sent++;
      inflight.push(
        call(i).then(
          () => {
            latencies.push(performance.now() - t);
          },
          () => {
            errors += 1;
          },
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inflight);
  return summarize(latencies, seconds, errors);
}
