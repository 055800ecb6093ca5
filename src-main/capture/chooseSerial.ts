import type { ThisDeviceCapture } from '../contract/types.ts';
import { serialProblem } from './placeholderSerial.ts';
import type { RawSerials } from './systemSerialPort.ts';

export type SerialChoice = ThisDeviceCapture['serial'];

/**
 * Picks this machine's serial: the first real one of system, BIOS and chassis (the order Windows
 * itself uses: Win32_BIOS.SerialNumber mirrors the SMBIOS system serial). When none is real the
 * choice says why, so the screen can ask for a scan or a typed serial.
 */
export function chooseSerial(raw: RawSerials): SerialChoice {
  const sources = ['system', 'bios', 'chassis'] as const;
  for (const source of sources) {
    const value = raw[source]?.trim();
    // A VM's own serial (VMware-…, Hyper-V) is a real serial: registered exactly as reported.
    if (value && serialProblem(value) !== 'placeholder') return { value, source };
  }
  const seen = sources.map((s) => raw[s]?.trim()).find((v) => v);
  if (seen === undefined) return raw.virtual ? { problem: 'virtual-machine' } : { problem: 'missing' };
  const problem = raw.virtual ? 'virtual-machine' : 'placeholder';
  return { problem, raw: seen.slice(0, 64) };
}
