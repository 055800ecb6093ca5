// Hostile-input benchmark: `npx tsx bench/fuzz.bench.ts` (FUZZ_INPUTS=100000 by default, FUZZ_SEED to replay).
// Fuzzes the hash file readers and every contract call over the ipc path and browser mode's HTTP,
// and prints one JSON object: inputs tried per target, refusals by code, crashes, hangs, INTERNAL
// answers and queued devices lost (all of which must be 0), and the seed.
import { ContractFuzzer } from '../test/fuzz/contractFuzzer.ts';
import { seedFromEnv } from '../test/fuzz/fuzzRng.ts';
import { fuzzReaders } from '../test/fuzz/readerFuzzer.ts';
import { callNames } from '../src-main/contract/contract.ts';

const total = Number(process.env.FUZZ_INPUTS ?? 100_000);
const seed = seedFromEnv(Date.now() % 2 ** 31);
const log = (line: string) => process.stderr.write(`  ${line}\n`);

// About a third of the inputs go to the readers, the rest to the contract (two transports × every call).
const readerShare = Math.round(total * 0.35);
const readers = await fuzzReaders({
  seed,
  files: Math.round(readerShare * 0.6),
  rowFiles: Math.round(readerShare * 0.15),
  hashes: Math.round(readerShare * 0.25),
  hangMs: 5000,
  progress: log,
});
const contractShare = total - readers.totalInputs;
const perCall = Math.max(10, Math.floor((contractShare * 0.85) / (callNames.length * 2)));
const contract = await new ContractFuzzer({
  seed,
  perCall,
  httpMalformed: Math.round(contractShare * 0.08),
  senders: Math.round(contractShare * 0.04),
  rawSockets: Math.round(contractShare * 0.01),
  sentinels: 50,
  timeoutMs: 15_000,
  concurrency: 4,
  progress: log,
}).run();

const add = (a: Record<string, number>, b: Record<string, number>) => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
};
const result = {
  name: 'fuzz',
  seed,
  inputsTried: readers.totalInputs + contract.totalInputs,
  readers: {
    tried: readers.tried,
    filesWithDevices: readers.filesWithDevices,
    filesRefused: readers.filesRefused,
    codes: readers.codes,
    slowestMs: readers.slowestMs,
    slowestInput: readers.slowestInput,
    goodRowsLost: readers.goodRowsLost,
    diskMismatches: readers.diskMismatches,
    badResults: readers.badResults,
    ms: readers.ms,
  },
  contract: {
    tried: contract.tried,
    accepted: contract.accepted,
    refusals: contract.refusals,
    httpStatuses: contract.httpStatuses,
    badAnswers: contract.badAnswers,
    wrongVerdicts: contract.wrongVerdicts,
    forgedSendersAccepted: contract.forgedSendersAccepted,
    sentinels: contract.sentinels,
    queuedChanged: contract.queuedChanged,
    slowestMs: contract.slowestMs,
    slowestInput: contract.slowestInput,
    ms: contract.ms,
  },
  crashes: readers.crashes + contract.crashes,
  hangs: readers.hangs + contract.hangs,
  internal: contract.internal,
  queuedLost: contract.queuedLost,
  refusalsByCode: add(readers.codes, contract.refusals),
  problems: [...readers.problems, ...contract.problems],
};
process.stdout.write(`${JSON.stringify(result)}\n`);
const clean =
  result.crashes +
    result.hangs +
    result.internal +
    result.queuedLost +
    readers.badResults +
    readers.goodRowsLost +
    contract.badAnswers +
    contract.wrongVerdicts +
    contract.forgedSendersAccepted +
    contract.queuedChanged ===
  0;
process.stderr.write(
  `fuzz: ${result.inputsTried} inputs (seed ${seed}): ${result.crashes} crashes, ${result.hangs} hangs, ${result.internal} INTERNAL, ${result.queuedLost} queued devices lost${clean ? '' : ` — ${result.problems.length} problems, see JSON`}\n`,
);
process.exitCode = clean ? 0 : 1;
