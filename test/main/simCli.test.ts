import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { REALISTIC } from '../../src-main/sim/simScenario.ts';
import { simClient } from './simSupport.ts';

/** `autopilot-station sim`: one JSON line of endpoints, then it serves until SIGTERM. */
function run(args: string[]) {
  const child = spawn(process.execPath, ['bin/autopilot-station.js', 'sim', ...args], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const firstLine = new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', resolve);
    child.once('close', (code) => reject(new Error(`exited ${code} before printing: ${stderr}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, firstLine, exit, stderr: () => stderr };
}

describe('autopilot-station sim', () => {
  it('prints its endpoints as one JSON line, serves over HTTPS with the CA it wrote, stops on SIGTERM', async () => {
    const p = run(['--json', '--time-scale', '60']);
    const info = JSON.parse(await p.firstLine);
    expect(info).toMatchObject({
      scenario: 'training',
      timeScale: 60,
      tenantId: '6f1c3a52-8d0e-4b7a-9c4e-2a5b7d9e0f13',
      clientId: '0b3c5d7e-9f10-4a2b-8c3d-4e5f6a7b8c9d',
    });
    expect(info.graphUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(info.caCertPath, 'utf8')).toContain('BEGIN CERTIFICATE');
    const c = simClient(readFileSync(info.caCertPath, 'utf8'), info.graphUrl);
    try {
      const oidc = await c.get(`/${info.tenantId}/v2.0/.well-known/openid-configuration`);
      expect(oidc.status).toBe(200);
      const graph = await c.get('/v1.0/deviceManagement/windowsAutopilotDeviceIdentities');
      expect(graph.status).toBe(401);
      // What a station elsewhere needs: the URL and the CA file, and the connection it shares.
      expect(info.station).toMatchObject({ tenantUrl: info.graphUrl, caFile: info.caCertPath });
      expect(info.station.importCommand).toContain(`--tenant-url ${info.graphUrl} --ca ${info.caCertPath}`);
      const shared = await c.get('/station/connection');
      expect(shared.body).toMatchObject({
        graphUrl: info.graphUrl,
        tenantId: info.tenantId,
        clientId: info.clientId,
        timeScale: 60,
      });
      expect(info.realTenant.importIdRewritten).toBe(false);
    } finally {
      await c.close();
    }
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(existsSync(info.caCertPath)).toBe(false);
  });

  it('serves plain HTTP with --http and refuses a bad --time-scale in one line', async () => {
    const p = run(['--json', '--http', '--realistic']);
    const info = JSON.parse(await p.firstLine);
    expect(info.realTenant).toEqual(REALISTIC);
    expect(info.station).toBeNull();
    expect(info.graphUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.caCertPath).toBeNull();
    expect((await fetch(`${info.authority}/v2.0/.well-known/openid-configuration`)).status).toBe(200);
    p.child.kill('SIGINT');
    expect(await p.exit).toBe(0);

    const bad = run(['--time-scale', 'fast']);
    await expect(bad.firstLine).rejects.toThrow();
    expect(await bad.exit).toBe(1);
    expect(bad.stderr().trim().split('\n')).toHaveLength(1);
    expect(bad.stderr()).toContain('--time-scale');
  });
});
