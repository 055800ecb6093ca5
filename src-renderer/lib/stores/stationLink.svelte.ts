import { ApiError, type StationApi } from '../api.ts';
import type { StationInfo, StationSettings } from '../../../src-main/contract/types.ts';

/** up: answering; down: not answering (stopped or restarting); moved: answering elsewhere or with another session. */
export type LinkState = 'up' | 'down' | 'moved';

export interface StationLinkOptions {
  /** Settings saved anywhere (this window, another one, the station): mode, banner, sign-in and queue follow. */
  onSettings(settings: StationSettings): void;
  /** The station answers again after a gap: everything that may have changed meanwhile is read again. */
  onBack(): void;
  /** How often browser mode asks whether the station is still there (real ms). */
  intervalMs?: number;
}

/**
 * The page's link to the station. In browser mode the station is a separate process that can stop
 * or restart under an open tab: a cheap call every two seconds notices within a few seconds, the
 * banner says so ('down': not answering; 'moved': answering, but not to this page's session, since
 * each start has a new one), and when the station answers this page again (same address, once the
 * newly printed address was opened in this browser and set the new session cookie) the page
 * reloads its data by itself.
 */
export class StationLink {
  state = $state<LinkState>('up');
  private timer: ReturnType<typeof setInterval> | undefined;
  private checking = false;
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly api: StationApi,
    private readonly o: StationLinkOptions,
  ) {
    this.offs.push(api.on('settingsChanged', (s) => o.onSettings(s)));
  }

  start(host: StationInfo['host']): void {
    if (host !== 'browser' || this.timer) return;
    this.timer = setInterval(() => void this.check(), this.o.intervalMs ?? 2000);
  }

  async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      await this.api.getInfo({});
      if (this.state !== 'up') {
        this.state = 'up';
        this.o.onBack();
      }
    } catch (err) {
      const code = err instanceof ApiError ? err.code : '';
      // A refused session: the station restarted (a new session every start) or moved to another port.
      if (code === 'SESSION_TOKEN_MISSING' || code === 'HOST_REFUSED') this.state = 'moved';
      else if (code === 'STATION_UNREACHABLE' || code.startsWith('HTTP_')) this.state = 'down';
    } finally {
      this.checking = false;
    }
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const off of this.offs) off();
  }
}
