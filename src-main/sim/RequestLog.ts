/** Every call the simulated tenant answered, for tests and benchmarks to count. */
export interface RequestLogEntry {
  seq: number;
  /** Service time (ISO) when the request arrived. */
  at: string;
  method: string;
  path: string;
  query: string;
  status: number;
  /**
   * 'reset': dropped by a fault before being handled; 'answer-dropped': handled (status is what it would have been),
   * answer never sent.
   */
  outcome: 'answered' | 'reset' | 'answer-dropped';
  requestId: string;
  clientRequestId?: string;
  /** Sent inside a JSON batch: that batch's request id (the batch itself has an entry of its own). */
  batchRequestId?: string;
  /** Records in an import action's body. */
  importCount?: number;
  /** Faults that fired on this request. */
  faults?: string[];
  /** Problems the sim found in its own answer against the CSDL extract (always empty unless the sim has a bug). */
  csdlIssues?: string[];
  /** Real milliseconds spent answering. */
  durationMs: number;
}

export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  private seq = 0;
  /** Requests that have arrived, answered or not yet (a crash test kills a station on the n-th arrival). */
  received = 0;

  constructor(private readonly importsPerSerial: Map<string, number>) {}

  add(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const e = { seq: ++this.seq, ...entry };
    this.entries.push(e);
    return e;
  }

  /** Entries matching a method and a path fragment (case-insensitive). */
  count(filter: { method?: string; pathContains?: string; status?: number } = {}): number {
    return this.entries.filter(
      (e) =>
        (!filter.method || e.method === filter.method.toUpperCase()) &&
        (!filter.pathContains || e.path.toLowerCase().includes(filter.pathContains.toLowerCase())) &&
        (filter.status === undefined || e.status === filter.status),
    ).length;
  }

  /** Records of the import action accepted for this serial (the field sent, case-insensitive). */
  importCountFor(serialNumber: string): number {
    return this.importsPerSerial.get(serialNumber.trim().toUpperCase()) ?? 0;
  }

  /** Serial → number of imported records, for double-import checks. */
  importCounts(): Record<string, number> {
    return Object.fromEntries(this.importsPerSerial);
  }

  totalImportedRecords(): number {
    let n = 0;
    for (const v of this.importsPerSerial.values()) n += v;
    return n;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
