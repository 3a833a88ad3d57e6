import { execFileSync } from 'child_process';
import { join } from 'path';
import { SHORT_RUN_V8_FLAGS, shortRunFlags, tuneForShortRun } from '../../cli/short-run';

const ROOT = join(__dirname, '..', '..');
const NODE_20_V8 = '11.3.244.8-node.38';
const NODE_22_V8 = '12.4.254.21-node.57';

describe('shortRunFlags', () => {
  test('the interrupt budget four times Node 20\'s default, on the V8 of Node 20', () => {
    expect(SHORT_RUN_V8_FLAGS).toEqual(['--interrupt-budget=270336']);
    expect(shortRunFlags(NODE_20_V8, [])).toEqual(SHORT_RUN_V8_FLAGS);
    expect(shortRunFlags(NODE_20_V8, ['--max-semi-space-size=32', '--expose-gc'])).toEqual(SHORT_RUN_V8_FLAGS);
  });

  test('none on a later V8, which has no such flag', () => {
    expect(shortRunFlags(NODE_22_V8, [])).toEqual([]);
    expect(shortRunFlags('11.8.172.17-node.19', [])).toEqual([]);
  });

  test('none where node\'s command line gives a budget of its own', () => {
    expect(shortRunFlags(NODE_20_V8, ['--interrupt-budget=1000'])).toEqual([]);
  });
});

describe('tuneForShortRun', () => {
  test('sets each flag it is given, and returns them', () => {
    const set = jest.fn();
    expect(tuneForShortRun(['--a', '--b'], set)).toEqual(['--a', '--b']);
    expect(set.mock.calls).toEqual([['--a'], ['--b']]);
    expect(tuneForShortRun([], set)).toEqual([]);
    expect(set).toHaveBeenCalledTimes(2);
  });

  test('leaves the process as node started with the same flags on its command line would be (V8\'s code cache tag says so)', () => {
    // Run in a process of its own: V8's flags are the whole process's.
    const tags = JSON.parse(execFileSync(process.execPath, ['-e', `
      const v8 = require('v8');
      const before = v8.cachedDataVersionTag();
      const set = require(${JSON.stringify(join(ROOT, 'lib', 'cli', 'short-run.js'))}).tuneForShortRun();
      console.log(JSON.stringify({ before, after: v8.cachedDataVersionTag(), set }));
    `], { encoding: 'utf8' }));
    const flags = shortRunFlags();
    expect(tags.set).toEqual(flags);
    const commandLine = Number(execFileSync(process.execPath, [...flags, '-p', 'require("v8").cachedDataVersionTag()'], { encoding: 'utf8' }));
    expect(tags.after).toBe(commandLine);
    if (flags.length > 0) expect(tags.after).not.toBe(tags.before);
  });
});
