import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** Runs jest on the given suites (file name -> source) and returns the closing line. */
function closingLine(files: Record<string, string>): { line: string; status: number | null } {
  const dir = mkdtempSync(join(tmpdir(), 'kamprov-reporter-'));
  try {
    for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
    const config = { rootDir: dir, testMatch: ['<rootDir>/*.test.js'], reporters: [join(ROOT, 'test/support/summary-reporter.js')] };
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/jest/bin/jest.js'), '--ci', '--no-watchman', '--config', JSON.stringify(config)],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    const lines = run.stderr.trim().split('\n');
    return { line: lines[lines.length - 1], status: run.status };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The closing "tests: N passed, N failed, N skipped" line is what people and CI read; it
// must not say 0 failed for a run in which a suite never ran.
describe('the closing summary line', () => {
  it('counts passed, failed and skipped tests', () => {
    const { line, status } = closingLine({
      'a.test.js': "it('ok', () => {}); it('bad', () => { throw new Error('no'); }); it.skip('later', () => {});",
    });
    expect(status).toBe(1);
    expect(line).toBe('tests: 1 passed, 1 failed, 1 skipped');
  });

  it('counts a suite that does not compile as a failure', () => {
    const { line, status } = closingLine({ 'a.test.js': "it('ok', () => {});", 'b.test.js': 'const x = ;' });
    expect(status).toBe(1);
    expect(line).toMatch(/^tests: 1 passed, 1 failed, 0 skipped/);
  });

  it('counts a suite whose hooks throw outside any test as a failure', () => {
    const { line, status } = closingLine({
      'a.test.js': "it('ok', () => {}); afterAll(() => { throw new Error('late'); });",
      'b.test.js': "describe('x', () => { beforeAll(() => { throw new Error('boom'); }); it('t', () => {}); });",
    });
    expect(status).toBe(1);
    expect(line).toMatch(/^tests: 1 passed, 2 failed, 0 skipped/);
  });

  it('says 0 failed only when nothing failed', () => {
    const { line, status } = closingLine({ 'a.test.js': "it('ok', () => {});" });
    expect(status).toBe(0);
    expect(line).toBe('tests: 1 passed, 0 failed, 0 skipped');
  });
});
