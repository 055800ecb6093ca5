import type { EventBus } from '../kernel/eventBus.ts';
import type { Logger } from '../kernel/logger.ts';
import { StationError } from '../contract/errors.ts';
import type { DropFolder } from './dropFolder.ts';

export interface DropFolderWatcherOptions {
  dropFolder: DropFolder;
  bus: EventBus;
  logger: Logger;
  intervalMs?: number;
  /** A file must be this old before it is read, so a file still being written is read once, complete. */
  settledMs?: number;
}

/**
 * Looks at the drop folder every few seconds and publishes what it read as `dropFolderRead`.
 * Polling rather than fs.watch: change events are not delivered for USB sticks and SMB shares.
 */
export class DropFolderWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastProblem: string | undefined;

  constructor(private readonly options: DropFolderWatcherOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? 2000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look; exported for tests and for a "look now" after the folder setting changes. */
  async tick(): Promise<void> {
    if (this.running || !this.options.dropFolder.current()) return;
    this.running = true;
    try {
      const results = await this.options.dropFolder.readNew({ settledMs: this.options.settledMs ?? 1000 });
      this.lastProblem = undefined;
      if (results.length) this.options.bus.emit('dropFolderRead', results);
    } catch (err) {
      // A removed USB stick is normal on a bench: say it once, not every two seconds.
      const problem = err instanceof StationError ? err.code : String(err);
      if (problem !== this.lastProblem) this.options.logger.warn('drop folder not readable', { problem });
      this.lastProblem = problem;
    } finally {
      this.running = false;
    }
  }
}
