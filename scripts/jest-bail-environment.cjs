// The Jest test environment of mutation runs (stryker.jest.config.cjs): Node's, except that once a
// test of a file has failed, the file's remaining tests are skipped.
//
// Stryker needs one failing test to call a mutant killed, but Jest's `bail` works per test file, so
// without this every killed mutant still ran all of its covering tests (for src/workload/stateful-workload.ts
// about 170 synth-and-validate tests, 10-20 s a mutant). jest-circus reads `test.mode` after the
// `test_start` event, so marking the test `skip` there skips it. A run without a failure (Stryker's
// initial run, every surviving mutant) is unchanged.
'use strict';
const { TestEnvironment } = require('jest-environment-node');

class BailOnFirstFailureEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.failed = false;
  }

  async handleTestEvent(event) {
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') {
      this.failed = true;
    } else if (event.name === 'test_start' && this.failed) {
      event.test.mode = 'skip';
    }
  }
}

module.exports = BailOnFirstFailureEnvironment;
