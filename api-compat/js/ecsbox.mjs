// Start and stop an ecsbox server for the JS suite: a free loopback port, a temporary data
// directory removed on stop, and a kill of the process even if the test run dies early.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
export const ACCOUNT_ID = '000000000000';
export const REGION = 'us-east-1';

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

export function ecsboxBin() {
  const value = process.env.ECSBOX_BIN;
  if (!value) return path.join(repoRoot, 'build', 'ecsbox');
  return path.isAbsolute(value) ? value : path.resolve(repoRoot, value);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startEcsbox({ timeoutMs = 20000 } = {}) {
  const bin = ecsboxBin();
  if (!existsSync(bin)) throw new Error(`ecsbox binary not found at ${bin} (set ECSBOX_BIN)`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ecsbox-js-'));
  const port = await freePort();
  let log = '';
  const child = spawn(bin, [
    'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir,
    '--account-id', ACCOUNT_ID, '--region', REGION, '--runtime', 'none',
    // Tasks without health checks count as healthy at once, not after ECS's 40 s.
    '--healthy-after-running', '0',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const keep = (chunk) => { log = (log + chunk.toString()).slice(-20000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.once('exit', (code, signal) => { exited = { code, signal }; live.delete(child); });

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`ecsbox exited during start-up (${JSON.stringify(exited)}):\n${log}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ecsbox did not listen on ${port} within ${timeoutMs} ms:\n${log}`);
    }
    await sleep(50);
  }

  return {
    port,
    dataDir,
    endpoint: `http://127.0.0.1:${port}`,
    log: () => log,
    alive: () => exited === null,
    async stop() {
      if (exited === null) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
        await done;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// Client settings shared by the tests: no config files, fixed test credentials, no retries.
export function clientConfig(server, region = REGION) {
  return {
    endpoint: server.endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
}
