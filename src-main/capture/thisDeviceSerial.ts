import type { Logger } from '../kernel/logger.ts';
import { chooseSerial, type SerialChoice } from './chooseSerial.ts';
import type { SystemSerialPort } from './systemSerialPort.ts';

export interface ThisDeviceSerialOptions {
  port: SystemSerialPort;
  logger: Logger;
  /** How long a capture waits for the first read before asking for the serial instead (WMI can stall for a minute). */
  waitMs?: number;
}

/**
 * This machine's serial, read once when the station starts and cached: capturing never waits on
 * WMI. A read still running when a capture asks (slow WMI) answers "missing" for that capture and
 * replaces the cached answer as soon as it arrives.
 */
export class ThisDeviceSerial {
  private choice: SerialChoice | undefined;
  private readonly pending: Promise<SerialChoice>;
  private readonly waitMs: number;

  constructor(options: ThisDeviceSerialOptions) {
    this.waitMs = options.waitMs ?? 2000;
    this.pending = options.port
      .readSerials()
      .then((raw) => chooseSerial(raw))
      .catch((err: unknown) => {
        options.logger.warn('reading the serial number failed', {
          error: err instanceof Error ? err.message : String(err),
        });
        return { problem: 'missing' } as SerialChoice;
      })
      .then((choice) => {
        this.choice = choice;
        options.logger.info('serial number read', { source: choice.source, problem: choice.problem });
        return choice;
      });
  }

  /** The cached choice, or after at most waitMs a "missing" answer while the first read still runs. */
  async get(): Promise<SerialChoice> {
    if (this.choice) return this.choice;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<SerialChoice>((resolve) => {
      timer = setTimeout(() => resolve({ problem: 'missing' }), this.waitMs);
      timer.unref?.();
    });
    try {
      return await Promise.race([this.pending, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
