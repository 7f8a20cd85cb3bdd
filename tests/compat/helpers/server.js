// Starts a real `gazouille serve` on 127.0.0.1 with a throw-away data folder, and stops it whatever happens.
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const dll = process.env.GAZOUILLE_DLL
  ?? join(repo, 'src', 'Gazouille', 'bin', 'Release', 'net10.0', 'gazouille.dll');

const quiet = { DOTNET_NOLOGO: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' };

/** A free TCP port on 127.0.0.1, found by binding port 0. */
export function freePort() {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

/** Runs `gazouille <args…> --data DIR` and returns its stdout; throws with stderr when it fails. */
export async function cli(data, ...args) {
  try {
    const { stdout } = await run('dotnet', [dll, ...args, '--data', data], {
      env: { ...process.env, ...quiet }, timeout: 60_000,
    });
    return stdout;
  } catch (e) {
    throw new Error(`gazouille ${args.join(' ')} failed (exit ${e.code}): ${e.stderr || e.message}`);
  }
}

/** The bearer token printed on the last line of `admin create-token`. */
export async function createToken(data, username, scopes) {
  const out = await cli(data, 'admin', 'create-token', '--username', username, ...(scopes ? ['--scopes', scopes] : []));
  const token = out.trim().split('\n').at(-1).trim();
  if (!/^\S{20,}$/.test(token)) throw new Error(`create-token printed no token on its last line: ${out}`);
  return token;
}

const running = new Set();
function killAll() {
  for (const child of running) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  running.clear();
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => { killAll(); process.exit(128 + constants.signals[signal]); });
}

/**
 * Starts the server. `setup(data)` runs before `serve` (CLI commands: users, teams); `alongside(data)` runs while the
 * server boots (admin commands take effect on a running server) and its result is returned as `extra`. Returns
 * { url, data, port, extra, stop(), log() }. The server is killed by stop(), on this process's exit, and by a watchdog
 * if this process dies without running its exit handlers (SIGKILL).
 */
export async function startGazouille({ setup, alongside } = {}) {
  if (!existsSync(dll)) {
    throw new Error(`${dll} is missing: run \`dotnet build Gazouille.slnx -c Release\` first (or set GAZOUILLE_DLL).`);
  }
  const data = mkdtempSync(join(tmpdir(), 'gazouille-compat-'));
  if (setup) await setup(data);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('dotnet', [dll, 'serve', '--urls', url, '--data', data], {
    env: { ...process.env, ...quiet, Gazouille__RateLimits__Enabled: 'false', Logging__LogLevel__Default: 'Warning' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const keep = chunk => { output = (output + chunk).slice(-20_000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.once('exit', (code, signal) => { exited = { code, signal }; running.delete(child); });

  // Watchdog: if the test process disappears without cleaning up (SIGKILL), the server and its data go with it.
  const watchdog = spawn('sh', ['-c', 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; '
    + 'if kill -0 "$2" 2>/dev/null; then kill -9 "$2"; sleep 1; rm -rf "$3"; fi', 'watchdog', String(process.pid), String(child.pid), data], {
    detached: true, stdio: 'ignore',
  });
  watchdog.unref();

  const stop = async () => {
    if (!exited) {
      const gone = new Promise(ok => child.once('exit', ok));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    }
    running.delete(child);
    rmSync(data, { recursive: true, force: true });
  };

  const side = alongside ? alongside(data) : Promise.resolve(undefined);
  side.catch(() => {}); // awaited below; do not let it go unhandled while the server boots
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited) throw new Error(`gazouille serve exited early (${JSON.stringify(exited)}):\n${output}`);
    try {
      const res = await fetch(`${url}/api/v1/instance`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`gazouille serve did not answer GET /api/v1/instance within 90 s:\n${output}`);
    }
    await new Promise(ok => setTimeout(ok, 200));
  }
  let extra;
  try {
    extra = await side;
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, port, data, extra, stop, log: () => output };
}

/** The password of every test user. */
export const PASSWORD = 'correct horse battery';

/**
 * The server every compat suite uses: alice (signs in with OAuth; member of team design), bob (admin-minted token).
 * `extra` is { bobToken }.
 */
export function startStandardGazouille() {
  const user = (data, name, ...more) => cli(data, 'admin', 'create-user', '--username', name, '--email', `${name}@example.test`,
    '--password', PASSWORD, ...more);
  return startGazouille({
    // The first command creates the database; the others then run while the server boots.
    setup: data => user(data, 'alice', '--display-name', 'Alice Martin'),
    alongside: async data => {
      await Promise.all([user(data, 'bob'), cli(data, 'admin', 'create-team', '--handle', 'design', '--name', 'Design', '--member', 'alice')]);
      return { bobToken: await createToken(data, 'bob') };
    },
  });
}
