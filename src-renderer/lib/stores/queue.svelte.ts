import { ApiError, type StationApi } from '../api.ts';
import {
  DEFAULT_WAIT_FOR,
  type DeviceActionResult,
  type DeviceState,
  type ExportFile,
  type QueueChanged,
  type QueueRow,
  type StationSettings,
} from '../../../src-main/contract/types.ts';
import { MAX_DEVICES_PER_CALL } from '../../../src-main/contract/limits.ts';
import { countGroups, stateGroup, type StateGroup } from '../deviceStates.ts';
import { errorText } from './errorText.ts';

export type QueueFilter = 'all' | StateGroup;
/** Rows per listQueue page: the call's largest. */
const PAGE = MAX_DEVICES_PER_CALL;
/** Up to this many changed ids are patched one by one; more reload the whole list. */
const PATCH_LIMIT = 25;

/**
 * What needs the technician comes first: failed, invalid and timed-out rows above the rest, each part in
 * the queue's own order (at 1366×768 they used to sit below the fold, under a toast).
 */
export function failedFirst(rows: QueueRow[], waitFor: StationSettings['waitFor'] = DEFAULT_WAIT_FOR): QueueRow[] {
  const failed: QueueRow[] = [];
  const rest: QueueRow[] = [];
  for (const r of rows) (stateGroup(r.state, waitFor) === 'failed' ? failed : rest).push(r);
  return failed.length === 0 || rest.length === 0 ? rows : failed.concat(rest);
}

/**
 * The queue as the screens see it: every row in memory (10,000 rows are a few MB), filtered and
 * searched here so typing in the search box never waits on the main process. Fed by queueChanged.
 */
export class QueueStore {
  rows = $state.raw<QueueRow[]>([]);
  counts = $state.raw<Partial<Record<DeviceState, number>>>({});
  loaded = $state(false);
  error = $state<string | undefined>(undefined);
  filter = $state<QueueFilter>('all');
  search = $state('');
  selected = $state.raw<ReadonlySet<string>>(new Set());
  waitFor = $state<StationSettings['waitFor']>(DEFAULT_WAIT_FOR);

  groups = $derived(countGroups(this.counts, this.waitFor));
  visible = $derived.by(() => {
    const needle = this.search.trim().toUpperCase();
    const filter = this.filter;
    const waitFor = this.waitFor;
    const shown =
      !needle && filter === 'all'
        ? this.rows
        : this.rows.filter(
            (r) =>
              (filter === 'all' || stateGroup(r.state, waitFor) === filter) &&
              (!needle || r.serialNumber.toUpperCase().includes(needle)),
          );
    return failedFirst(shown, waitFor);
  });

  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly unsubscribe: () => void;
  /**
   * Answers can come back in another order than asked (two changes to one device in quick
   * succession, a reload racing a patch). Every request takes a number; a row is only replaced by an
   * answer to a request newer than the one that last set it, and an older reload never replaces a newer one.
   */
  private requestSeq = 0;
  private readonly rowSeq = new Map<string, number>();
  private loadSeq = 0;

  constructor(private readonly api: StationApi) {
    this.unsubscribe = api.on('queueChanged', (change) => void this.onChanged(change));
  }

  dispose(): void {
    this.unsubscribe();
    clearTimeout(this.reloadTimer);
  }

  async load(): Promise<void> {
    const seq = ++this.requestSeq;
    try {
      const rows: QueueRow[] = [];
      let total = Infinity;
      let counts: QueueChanged['counts'];
      while (rows.length < total) {
        const page = await this.api.listQueue({ offset: rows.length, limit: PAGE });
        rows.push(...page.rows);
        total = page.total;
        counts = page.counts;
        if (page.rows.length === 0) break;
      }
      if (seq < this.loadSeq) return; // a newer reload already answered
      this.loadSeq = seq;
      // Rows patched by answers newer than this reload keep their newer value.
      const current = new Map(this.rows.map((r) => [r.id, r]));
      const newer = (id: string) => (this.rowSeq.get(id) ?? 0) > seq;
      const loaded = new Set(rows.map((r) => r.id));
      const merged = rows.flatMap((r) => (newer(r.id) ? (current.has(r.id) ? [current.get(r.id)!] : []) : [r]));
      for (const r of this.rows) if (!loaded.has(r.id) && newer(r.id)) merged.push(r);
      this.rows = merged;
      for (const r of rows) if ((this.rowSeq.get(r.id) ?? 0) < seq) this.rowSeq.set(r.id, seq);
      if (counts) this.counts = counts;
      this.dropGoneSelections();
      this.error = undefined;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loaded = true;
    }
  }

  private async onChanged(change: QueueChanged): Promise<void> {
    if (change.counts) this.counts = change.counts;
    if (change.deviceIds.length === 0 || change.deviceIds.length > PATCH_LIMIT) return this.scheduleReload();
    const seq = ++this.requestSeq;
    try {
      // A device no longer in the queue leaves the list; any other failure (the station stopped, or
      // restarted with a new session) keeps the rows as they were and reloads later.
      const details = await Promise.all(
        change.deviceIds.map((id) =>
          this.api.getDevice({ id }).catch((err: unknown) => {
            if (err instanceof ApiError && err.code === 'DEVICE_NOT_FOUND') return undefined;
            throw err;
          }),
        ),
      );
      // Only ids whose last applied answer is older than this request: a late answer never overwrites a newer one.
      const fresh = new Set(change.deviceIds.filter((id) => (this.rowSeq.get(id) ?? 0) < seq && this.loadSeq < seq));
      for (const id of fresh) this.rowSeq.set(id, seq);
      const byId = new Map(
        details.filter((d) => d !== undefined && fresh.has(d.row.id)).map((d) => [d!.row.id, d!.row]),
      );
      const known = new Set(this.rows.map((r) => r.id));
      const next = this.rows.flatMap((r) => (fresh.has(r.id) ? (byId.has(r.id) ? [byId.get(r.id)!] : []) : [r]));
      for (const [id, row] of byId) if (!known.has(id)) next.push(row);
      this.rows = next;
      this.dropGoneSelections();
    } catch {
      this.scheduleReload();
    }
  }

  private scheduleReload(): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.load(), 150);
  }

  private dropGoneSelections(): void {
    if (this.selected.size === 0) return;
    const ids = new Set(this.rows.map((r) => r.id));
    const kept = [...this.selected].filter((id) => ids.has(id));
    if (kept.length !== this.selected.size) this.selected = new Set(kept);
  }

  toggle(id: string): void {
    const next = new Set(this.selected);
    if (!next.delete(id)) next.add(id);
    this.selected = next;
  }

  selectAllVisible(): void {
    this.selected = new Set(this.visible.map((r) => r.id));
  }

  clearSelection(): void {
    this.selected = new Set();
  }

  /** The whole answer: what changed, and why each other device was left as it was. */
  async act(action: 'retry' | 'remove' | 'reregister', ids = [...this.selected]): Promise<DeviceActionResult> {
    const result = await this.api.deviceAction({ ids, action });
    if (action === 'remove') this.clearSelection();
    return result;
  }

  async setGroupTag(groupTag: string, ids = [...this.selected]): Promise<number> {
    return (await this.api.editDevices({ ids, groupTag })).affected;
  }

  async exportCsv(format: 'intune' | 'report' | 'corporate', ids = [...this.selected]): Promise<ExportFile[]> {
    return this.api.exportQueue(ids.length ? { format, ids } : { format });
  }
}
