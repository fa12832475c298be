import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `sluice run` as a user does (the CLI entry under tsx), without a terminal. */
function sluiceRun(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli.ts', 'run', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function jobFile(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('sluice run', () => {
  it('runs a job, prints its log and a per-table summary, and exits 0', async () => {
    const file = await jobFile(
      'fake.conf',
      `env { job.mode = BATCH }
source {
  FakeSource {
    plugin_output = people
    schema = { table = "shop.people", fields { id = int, name = string } }
    rows = [{ kind = INSERT, fields = [1, "\${who}"] }, { kind = INSERT, fields = [2, "Zoë"] }]
  }
}
sink { Console { plugin_input = people } }`,
    );
    const { code, stdout, stderr } = await sluiceRun([file, '-i', 'who=Ada']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Ada');
    expect(stdout).toContain('Zoë');
    expect(stdout).toMatch(/shop\.people\s+2\s+2/);
    expect(stdout).toMatch(/SUCCEEDED in/);
  });

  it('exits 2 naming the file, line and column of a syntax error', async () => {
    const file = await jobFile('broken.conf', 'source {\n  FakeSource {\n    row.num = [1, 2\n  }\n}\n');
    const { code, stderr } = await sluiceRun([file]);
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
  });

  it('exits 2 for a missing variable and for an unknown plugin, saying which', async () => {
    const needsVariable = await jobFile(
      'var.conf',
      'source { FakeSource { row.num = ${rows}, schema = { fields { id = int } } } }\nsink { Console {} }\n',
    );
    const missing = await sluiceRun([needsVariable]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/variable "rows" \(line 1, column \d+\)/);

    const unknown = await jobFile(
      'unknown.conf',
      'source { FakeSource { schema = { fields { id = int } } } }\nsink { Nowhere {} }\n',
    );
    const result = await sluiceRun([unknown]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown\.conf:2:\d+: .*Nowhere/);
  });

  it('exits 1 with the error when the job fails', async () => {
    const file = await jobFile(
      'assert.conf',
      `source { FakeSource { row.num = 3, schema = { fields { id = int } } } }
sink { Assert { rules { row_rules = [{ rule_type = MIN_ROW, rule_value = 10 }] } } }`,
    );
    const { code, stderr, stdout } = await sluiceRun([file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/ASSERTION_FAILED/);
    expect(stdout).toMatch(/FAILED in/);
  });
});
