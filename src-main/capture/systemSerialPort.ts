/** The serial numbers the firmware reports for this machine (SMBIOS system, BIOS and chassis). */
export interface RawSerials {
  system?: string;
  bios?: string;
  chassis?: string;
  /** The platform says it is a virtual machine (hypervisor detected). */
  virtual?: boolean;
}

/** Port to the machine's firmware tables; the adapter is systeminformationSerialPort.ts. */
export interface SystemSerialPort {
  readSerials(): Promise<RawSerials>;
}
