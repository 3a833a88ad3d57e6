import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { replaceDirectory } from '../../synth/replace-directory';

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
    replaceDirectory(target, [{ path: 'dev/manifests/a.yaml', content: 'a' }, { path: 'top.txt', content: 'top' }]);
    expect(readFileSync(join(target, 'dev/manifests/a.yaml'), 'utf8')).toBe('a');
    expect(readdirSync(target).sort()).toEqual(['dev', 'top.txt']);
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  test('creates the folder when it does not exist', () => {
    const fresh = join(parent, 'nested', 'out');
    replaceDirectory(fresh, [{ path: 'x.yaml', content: 'x' }]);
    expect(readFileSync(join(fresh, 'x.yaml'), 'utf8')).toBe('x');
  });

  test('leaves the folder as it was, and no staging folder behind, when a write fails', () => {
    // 'a' is written as a file, so 'a/b' cannot be created below it.
    expect(() => replaceDirectory(target, [{ path: 'a', content: '1' }, { path: 'a/b', content: '2' }])).toThrow();
    expect(readFileSync(join(target, 'old', 'stale.yaml'), 'utf8')).toBe('stale');
    expect(readdirSync(parent)).toEqual(['dist']);
    expect(existsSync(join(target, 'a'))).toBe(false);
  });
});
