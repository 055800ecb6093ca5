import type { StationApi } from '../api.ts';
import { groupTagProblem } from '../groupTagRule.ts';

const DEFAULT_KEY = 'station.groupTag.session';
const RECENT_KEY = 'station.groupTag.recent';

/** Tags in use in the tenant, recent ones, and the session's default (kept for this window only). */
export class GroupTagStore {
  tenant = $state.raw<string[]>([]);
  recent = $state.raw<string[]>([]);
  sessionDefault = $state('');

  constructor(private readonly api: StationApi) {
    this.sessionDefault = globalThis.sessionStorage?.getItem(DEFAULT_KEY) ?? '';
    const saved = globalThis.localStorage?.getItem(RECENT_KEY);
    if (saved)
      this.recent = (JSON.parse(saved) as unknown[]).filter(
        (x): x is string => typeof x === 'string' && !groupTagProblem(x),
      );
  }

  async load(): Promise<void> {
    try {
      const tags = await this.api.listGroupTags({});
      this.tenant = tags.tenant;
      this.recent = [...new Set([...this.recent, ...tags.recent])].slice(0, 20);
    } catch {
      // The picker still works with typed and recent tags when the tenant cannot be asked.
    }
  }

  setDefault(tag: string): void {
    if (groupTagProblem(tag)) return;
    this.sessionDefault = tag;
    globalThis.sessionStorage?.setItem(DEFAULT_KEY, tag);
  }

  /** Called when a tag is actually used, so it comes first next time. */
  used(tag: string): void {
    if (!tag || groupTagProblem(tag)) return;
    this.recent = [tag, ...this.recent.filter((x) => x !== tag)].slice(0, 20);
    globalThis.localStorage?.setItem(RECENT_KEY, JSON.stringify(this.recent));
  }
}
