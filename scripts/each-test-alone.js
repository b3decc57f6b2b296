#!/usr/bin/env node
// Runs every test of the given jest files alone, one jest process per test, to prove that no
// test leans on data an earlier test of its file created.
//
//   node scripts/each-test-alone.js test/aliases.e2e-spec.ts [more files] [--list]
//
// The names come from a run that selects no test (jest reports each one as skipped, and runs
// no hook of a block whose tests are all skipped); each test then runs with
// --testNamePattern '^<its full name, regex-escaped>$', in band. The environment passes
// through, so without TEST_DATABASE_URL / TEST_PG_URL only the SQLite run is listed. A run
// counts as passed only if it ran exactly one test and that test passed. Exits 1 on any failure.
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const args = process.argv.slice(2);
const listOnly = args.includes('--list');
const files = args.filter((a) => a !== '--list');
if (files.length === 0) {
  process.stderr.write('usage: node scripts/each-test-alone.js <test file>... [--list]\n');
  process.exit(2);
}

const jestBin = require.resolve('jest/bin/jest');
const work = mkdtempSync(join(tmpdir(), 'each-test-alone-'));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Runs jest on one file with a name pattern; answers its JSON report (or null) and the output. */
function jest(file, pattern, n) {
  const out = join(work, `r${n}.json`);
  const run = spawnSync(process.execPath, [jestBin, file, '--runInBand', '--json', `--outputFile=${out}`, '--testNamePattern', pattern], {
    encoding: 'utf8',
    env: process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  let report = null;
  try {
    report = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    // no report: jest itself failed; the output says why
  }
  return { report, output: `${run.stdout}${run.stderr}` };
}

let runs = 0;
let failed = 0;
const totals = [];
try {
  for (const file of files) {
    const { report, output } = jest(file, '^$a', runs++);
    const results = report?.testResults?.[0]?.assertionResults;
    if (!results) {
      process.stderr.write(`${file}: could not list its tests\n${output}\n`);
      failed++;
      continue;
    }
    // The loud skip markers of a database left out are skipped tests by design, not tests to run.
    const names = results.map((r) => r.fullName).filter((name) => !/ SKIPPED: set TEST_/.test(name));
    const seen = new Set();
    for (const name of names) {
      if (seen.has(name)) process.stdout.write(`DUPLICATE NAME (runs together): ${name}\n`);
      seen.add(name);
    }
    if (listOnly) {
      for (const name of seen) process.stdout.write(`${name}\n`);
      continue;
    }
    let passed = 0;
    for (const name of seen) {
      const started = Date.now();
      const { report: r, output: o } = jest(file, `^${escape(name)}$`, runs++);
      const ok = r !== null && r.numPassedTests === 1 && r.numFailedTests === 0 && r.numRuntimeErrorTestSuites === 0 && r.success;
      const took = ((Date.now() - started) / 1000).toFixed(1);
      if (ok) passed++;
      else failed++;
      const ran = r ? ` (${r.numPassedTests} passed, ${r.numFailedTests} failed)` : ' (no report)';
      process.stdout.write(`${ok ? 'PASS' : 'FAIL'} ${took}s ${name}${ok ? '' : ran}\n`);
      if (!ok) process.stdout.write(`${o.split('\n').slice(-80).join('\n')}\n`);
    }
    totals.push(`${file}: ${passed}/${seen.size} passed alone`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
for (const line of totals) process.stdout.write(`${line}\n`);
process.exit(failed === 0 ? 0 : 1);
