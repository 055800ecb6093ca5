import type { AutopilotPort } from '../graph/autopilotPort.ts';

/**
 * An AutopilotPort whose real implementation is looked up at each call: the tenant session rebuilds
 * its Graph client when the tenant, cloud or sign-in changes, and training mode starts the simulated
 * tenant only when the worker first needs it.
 */
export function deferredAutopilot(resolve: () => Promise<AutopilotPort>): AutopilotPort {
  return {
    importBatch: async (devices) => (await resolve()).importBatch(devices),
    readyToImport: async () => {
      const port = await resolve();
      await port.readyToImport?.();
    },
    getImported: async (id) => (await resolve()).getImported(id),
    listImported: async () => (await resolve()).listImported(),
    deleteImported: async (ids) => (await resolve()).deleteImported(ids),
    getRegisteredDevice: async (id, options) => (await resolve()).getRegisteredDevice(id, options),
    getRegisteredDevices: async (ids, options) => {
      const port = await resolve();
      if (!port.getRegisteredDevices) throw new TypeError('getRegisteredDevices is not available');
      return port.getRegisteredDevices(ids, options);
    },
    findRegisteredBySerial: async (serial) => (await resolve()).findRegisteredBySerial(serial),
    updateDeviceProperties: async (id, props) => (await resolve()).updateDeviceProperties(id, props),
    requestSync: async () => (await resolve()).requestSync(),
    listGroupTags: async () => (await resolve()).listGroupTags(),
    listRegisteredDevices: async (options) => {
      const port = await resolve();
      if (!port.listRegisteredDevices) throw new TypeError('listRegisteredDevices is not available');
      return port.listRegisteredDevices(options);
    },
  };
}
