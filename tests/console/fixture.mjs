// A real ledger-node filled with a generated supply chain, for the console's
// end-to-end tests: udi-gen writes signed events and their ground truth,
// ledgerctl registers the parties and submits the events, and a regulator
// token is created the way an administrator would (ledgerctl token create).
import {spawn, execFile} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';

const run = promisify(execFile);

export function binDir() {
  const dir = process.env.UDI_BIN_DIR;
  if (!dir) throw new Error('UDI_BIN_DIR: not set (the directory holding ledger-node, ledgerctl, udi-gen)');
  return dir;
}

async function ledgerctl(args, input) {
  const child = execFile(join(binDir(), 'ledgerctl'), args, {maxBuffer: 64 << 20});
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  if (input !== undefined) child.stdin.end(input); else child.stdin.end();
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`ledgerctl ${args[0]} ${args[1] || ''}: exit ${code}: ${stderr || stdout}`);
  return stdout;
}

// Starts ledger-node on a free loopback port; resolves once it printed its
// start line ("ledger-node: name=... listen=HOST:PORT ...").
function startNode(dataDir, name) {
  const child = spawn(join(binDir(), 'ledger-node'),
                      ['--data', dataDir, '--listen', '127.0.0.1:0', '--name', name],
                      {stdio: ['ignore', 'pipe', 'pipe']});
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`ledger-node: no start line in 60 s: ${stderr}`)); }, 60000);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`ledger-node exited ${code}: ${stderr}`)); });
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listen=([\d.]+):(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({child, url: `http://${m[1]}:${m[2]}`});
      }
    });
  });
}

// Generates `units` units, starts a node, loads everything. Returns
// {url, origin, adminToken, regulatorToken, truth, participants, stop()}.
export async function startFilledNode({units = 300, seed = 11} = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'udi-console-e2e-'));
  const gen = join(dir, 'gen');
  await run(join(binDir(), 'udi-gen'),
            ['--seed', String(seed), '--units', String(units), '--anomaly-rate', '0.05',
             '--recalls', '2', '--manufacturers', '2', '--distributors', '2', '--hospitals', '3',
             '--out', gen], {maxBuffer: 16 << 20});
  const origin = 'console-e2e.example/log';
  const {child, url} = await startNode(join(dir, 'data'), origin);
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, {recursive: true, force: true});
  };
  try {
    const adminToken = readFileSync(join(dir, 'data', 'admin.token'), 'utf8').trim();
    const participants = JSON.parse(readFileSync(join(gen, 'participants.json'), 'utf8'));
    const parties = Array.isArray(participants) ? participants : participants.participants;
    for (const p of parties) {
      await ledgerctl(['participant', 'add', '--node', url, '--token', adminToken, '--gln', p.gln,
                       '--name', p.name, '--role', p.role, '--verifier-key', p.verifierKey]);
    }
    await ledgerctl(['submit', '--node', url, '--token', adminToken, join(gen, 'envelopes.jsonl')]);
    const created = JSON.parse(await ledgerctl(['token', 'create', '--node', url, '--token', adminToken,
                                                '--role', 'regulator']));
    const truth = JSON.parse(readFileSync(join(gen, 'truth.json'), 'utf8'));
    return {url, origin, adminToken, regulatorToken: created.token, truth, participants: parties, stop};
  } catch (e) {
    stop();
    throw e;
  }
}
