import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { OutputFile, replaceDirectory, writeFiles } from '../../synth/replace-directory';

/** Replaces `target` with exactly `files`. */
const replaceWith = (target: string, files: OutputFile[]) => replaceDirectory(target, staging => writeFiles(staging, files));

describe('replaceDirectory', () => {
  let parent: string;
  let target: string;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'prodk8s-replace-'));
    target = join(parent, 'dist');
    mkdirSync(join(target, 'old'), { recursive: true });
    writeFileSync(join(target, 'old', 'stale.yaml'), 'stale');
  });

  test('replaces the folder with exactly the given files', () => {
    replaceWith(target, [{ path: 'dev/manifests/a.yaml', content: 'a' }, { path: 'top.txt', content: 'top' }]);
    expect(readFileSync(join(target, 'dev/manifests/a.yaml'), 'utf8')).toBe('a');
    expect(readdirSync(target).sort()).toEqual(['dev', 'top.txt']);
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  test('creates the folder when it does not exist', () => {
    const fresh = join(parent, 'nested', 'out');
    replaceWith(fresh, [{ path: 'x.yaml', content: 'x' }]);
    expect(readFileSync(join(fresh, 'x.yaml'), 'utf8')).toBe('x');
  });

  test('leaves the folder as it was, and no staging folder behind, when a write fails', () => {
    // 'a' is written as a file, so 'a/b' cannot be created below it.
    expect(() => replaceWith(target, [{ path: 'a', content: '1' }, { path: 'a/b', content: '2' }])).toThrow();
    expect(readFileSync(join(target, 'old', 'stale.yaml'), 'utf8')).toBe('stale');
    expect(readdirSync(parent)).toEqual(['dist']);
    expect(existsSync(join(target, 'a'))).toBe(false);
  });

  test('leaves the folder as it was when filling the staging folder fails after writing', () => {
    expect(() => replaceDirectory(target, staging => {
      writeFiles(staging, [{ path: 'half.yaml', content: 'half' }]);
      throw new Error('rendering failed');
    })).toThrow('rendering failed');
    expect(readdirSync(target)).toEqual(['old']);
    expect(readdirSync(parent)).toEqual(['dist']);
  });
});
