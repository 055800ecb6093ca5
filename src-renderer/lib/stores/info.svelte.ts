import type { StationApi } from '../api.ts';
import { errorText } from './errorText.ts';
import type { StationInfo } from '../../../src-main/contract/types.ts';

/** What the station says about itself, loaded once at start. */
export class InfoStore {
  info = $state<StationInfo | undefined>(undefined);
  error = $state<string | undefined>(undefined);

  constructor(private readonly api: StationApi) {}

  async load(): Promise<void> {
    try {
      this.info = await this.api.getInfo({});
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    }
  }
}
