import si from 'systeminformation';
import type { RawSerials, SystemSerialPort } from './systemSerialPort.ts';

/**
 * Adapter: SMBIOS serials through systeminformation (WMI on Windows, /sys and dmidecode on Linux).
 * Each table is read on its own so one failing query does not hide the others.
 */
export class SysteminformationSerialPort implements SystemSerialPort {
  async readSerials(): Promise<RawSerials> {
    const [system, bios, chassis] = await Promise.allSettled([si.system(), si.bios(), si.chassis()]);
    const out: RawSerials = {};
    if (system.status === 'fulfilled') {
      out.system = system.value.serial;
      out.virtual = system.value.virtual;
    }
    if (bios.status === 'fulfilled' && bios.value.serial !== undefined) out.bios = bios.value.serial;
    if (chassis.status === 'fulfilled') out.chassis = chassis.value.serial;
    return out;
  }
}
