// Prints one plain closing line, "tests: N passed, N failed, N skipped", as the very last
// output (jest's own summary reporter runs after custom reporters, hence the exit hook).
// A suite that failed without a failed test (it did not compile, a hook threw outside
// any test, its file crashed) counts as one failure, so the line can never say 0 failed
// for a run that failed.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: p, numFailedTests: f, numPendingTests: s, numTodoTests: t } = results;
    const broken = results.testResults.filter(
      (r) => r.numFailingTests === 0 && (r.testExecError || r.failureMessage),
    ).length;
    const note = broken ? ` (${broken} ${broken === 1 ? 'suite' : 'suites'} failed outside any test)` : '';
    process.once('exit', () => process.stderr.write(`\ntests: ${p} passed, ${f + broken} failed, ${s + t} skipped${note}\n`));
  }
}
module.exports = SummaryReporter;
