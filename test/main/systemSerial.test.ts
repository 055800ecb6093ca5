import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/kernel/logger.ts';
import { chooseSerial } from '../../src-main/capture/chooseSerial.ts';
import { SysteminformationSerialPort } from '../../src-main/capture/systeminformationSerialPort.ts';
import type { RawSerials, SystemSerialPort } from '../../src-main/capture/systemSerialPort.ts';
import { ThisDeviceSerial } from '../../src-main/capture/thisDeviceSerial.ts';

class FakePort implements SystemSerialPort {
  calls = 0;
  constructor(private readonly answer: () => Promise<RawSerials>) {}
  readSerials(): Promise<RawSerials> {
    this.calls++;
    return this.answer();
  }
}

describe("choosing this machine's serial", () => {
  it('takes the first real one of system, BIOS and chassis', () => {
    expect(chooseSerial({ system: 'PF3ABC12', bios: 'OTHER', chassis: 'X' })).toEqual({
      value: 'PF3ABC12',
      source: 'system',
    });
    expect(chooseSerial({ system: 'To be filled by O.E.M.', bios: ' 5CG1234XYZ ', chassis: 'X' })).toEqual({
      value: '5CG1234XYZ',
      source: 'bios',
    });
    expect(chooseSerial({ system: 'Default string', bios: '', chassis: 'CND9876QRS' })).toEqual({
      value: 'CND9876QRS',
      source: 'chassis',
    });
    expect(chooseSerial({ bios: '0000000000', chassis: 'Chassis Serial Number' })).toEqual({
      problem: 'placeholder',
      raw: '0000000000',
    });
  });

  it('says why there is none: placeholder, virtual machine, missing', () => {
    expect(chooseSerial({ system: '-', bios: '', chassis: '' })).toEqual({ problem: 'placeholder', raw: '-' });
    expect(chooseSerial({ system: '-', bios: '', chassis: '', virtual: true })).toEqual({
      problem: 'virtual-machine',
      raw: '-',
    });
    // A VM's own serial is a serial (docs/domain.md#serial-numbers): registered exactly as the firmware reports it.
    expect(chooseSerial({ system: 'VMware-56 4d 2f 6a 11 22', virtual: false })).toEqual({
      value: 'VMware-56 4d 2f 6a 11 22',
      source: 'system',
    });
    expect(chooseSerial({})).toEqual({ problem: 'missing' });
    expect(chooseSerial({ virtual: true })).toEqual({ problem: 'virtual-machine' });
  });

  it('keeps a real serial of a virtual machine (Hyper-V VMs are registered for testing)', () => {
    expect(chooseSerial({ system: '3966-1871-4215-0127-8830-7355-47', virtual: true })).toEqual({
      value: '3966-1871-4215-0127-8830-7355-47',
      source: 'system',
    });
  });
});

describe('ThisDeviceSerial: read once at start-up, cached', () => {
  it('reads the port once however many captures ask', async () => {
    const port = new FakePort(async () => ({ system: 'PF3ABC12' }));
    const serial = new ThisDeviceSerial({ port, logger: silentLogger });
    const answers = await Promise.all([serial.get(), serial.get(), serial.get()]);
    expect(await serial.get()).toEqual({ value: 'PF3ABC12', source: 'system' });
    expect(answers).toEqual(Array(3).fill({ value: 'PF3ABC12', source: 'system' }));
    expect(port.calls).toBe(1);
  });

  it('does not make a capture wait on a stalled WMI, and takes the late answer when it comes', async () => {
    let release!: (r: RawSerials) => void;
    const port = new FakePort(() => new Promise((resolve) => (release = resolve)));
    const serial = new ThisDeviceSerial({ port, logger: silentLogger, waitMs: 30 });
    const started = Date.now();
    expect(await serial.get()).toEqual({ problem: 'missing' });
    expect(Date.now() - started).toBeLessThan(1000);
    release({ bios: 'JX0K2M3' });
    await new Promise((r) => setTimeout(r, 0));
    expect(await serial.get()).toEqual({ value: 'JX0K2M3', source: 'bios' });
    expect(port.calls).toBe(1);
  });

  it('answers "missing" when the port fails', async () => {
    const serial = new ThisDeviceSerial({
      port: new FakePort(() => Promise.reject(new Error('WMI is broken'))),
      logger: silentLogger,
    });
    expect(await serial.get()).toEqual({ problem: 'missing' });
  });

  it('reads this machine through the real systeminformation adapter without throwing, and classifies it', async () => {
    const raw = await new SysteminformationSerialPort().readSerials();
    for (const key of ['system', 'bios', 'chassis'] as const)
      if (raw[key] !== undefined) expect(typeof raw[key]).toBe('string');
    const choice = chooseSerial(raw);
    // Whatever this box is (a bench PC, a VM, a container): either a real serial with its source, or a problem.
    if (choice.value !== undefined) {
      expect(['system', 'bios', 'chassis']).toContain(choice.source);
      expect(choice.problem).toBeUndefined();
    } else {
      expect(['placeholder', 'virtual-machine', 'missing']).toContain(choice.problem);
    }
    const serial = new ThisDeviceSerial({
      port: new SysteminformationSerialPort(),
      logger: silentLogger,
      waitMs: 20_000,
    });
    expect(await serial.get()).toEqual(choice);
  });
});
