// Prints one plain closing line, "tests: N passed, N failed, N skipped", as the very last
// output (jest's own summary reporter runs after custom reporters, hence the exit hook).
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: p, numFailedTests: f, numPendingTests: s, numTodoTests: t } = results;
    process.once('exit', () => process.stderr.write(`\ntests: ${p} passed, ${f} failed, ${s + t} skipped\n`));
  }
}
module.exports = SummaryReporter;
