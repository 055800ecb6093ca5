import type { FaultSpec } from './simScenario.ts';

/**
 * Faults for tests, injected at run time or by the scenario: each applies to the next N matching
 * requests, or to each matching request with a probability, optionally only for a path or method.
 */
export interface ActiveFault extends FaultSpec {
  id: number;
  remaining: number;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  constructor(private readonly random: () => number = Math.random) {}

  inject(spec: FaultSpec): number {
    const id = this.nextId++;
    const remaining = spec.count ?? (spec.probability !== undefined ? Number.POSITIVE_INFINITY : 1);
    this.faults.push({ ...spec, id, remaining });
    return id;
  }

  clear(id?: number): void {
    this.faults = id === undefined ? [] : this.faults.filter((f) => f.id !== id);
  }

  get active(): readonly ActiveFault[] {
    return this.faults;
  }

  /**
   * The faults that fire for this request (at most one of each kind), consuming their counts.
   * `serialNumber`: the record being imported; a fault scoped to a serial fires only for it.
   */
  take(method: string, path: string, kinds?: ReadonlySet<FaultSpec['kind']>, serialNumber?: string): ActiveFault[] {
    const fired: ActiveFault[] = [];
    const seen = new Set<string>();
    for (const f of this.faults) {
      if (f.remaining <= 0 || seen.has(f.kind)) continue;
      if (kinds && !kinds.has(f.kind)) continue;
      if (f.pathContains && !path.toLowerCase().includes(f.pathContains.toLowerCase())) continue;
      if (f.method && f.method.toUpperCase() !== method.toUpperCase()) continue;
      if (
        f.serialNumber !== undefined &&
        f.serialNumber.trim().toUpperCase() !== (serialNumber ?? '').trim().toUpperCase()
      )
        continue;
      if (f.probability !== undefined && this.random() >= f.probability) continue;
      f.remaining -= 1;
      seen.add(f.kind);
      fired.push(f);
    }
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return fired;
  }
}
