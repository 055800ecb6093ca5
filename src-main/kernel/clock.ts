/**
 * Time as services see it. The simulated tenant and the station share one scaled clock in tests and
 * benchmarks, so ten minutes of service time (polling, the sync rule, deadlines) pass in seconds.
 */
export interface Clock {
  /** Milliseconds since the epoch, in service time. */
  now(): number;
  /** Waits `ms` of service time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function scaledClock(timeScale = 1, origin = Date.now()): Clock {
  if (!(timeScale > 0)) throw new RangeError('timeScale must be > 0');
  const realStart = Date.now();
  return {
    now: () => origin + (Date.now() - realStart) * timeScale,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = setTimeout(
          () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          Math.max(0, ms / timeScale),
        );
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal!.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
  };
}

export const systemClock: Clock = scaledClock(1);
