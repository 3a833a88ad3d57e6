import fs = require('fs');
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { OutputFile, replaceDirectory, writeFiles } from '../../synth/replace-directory';

/** Replaces `target` with exactly `files`. */
const replaceWith = (target: string, files: OutputFile[]) => replaceDirectory(target, staging => writeFiles(staging, files));

/** The inode of a file: the same inode is the same file, linked rather than written again. */
const inode = (path: string) => statSync(path).ino;

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

  describe('a file the previous output holds unchanged', () => {
    beforeEach(() => {
      writeFileSync(join(target, 'same.yaml'), 'same');
      writeFileSync(join(target, 'changed.yaml'), 'old');
    });
    afterEach(() => jest.restoreAllMocks());

    test('is linked from it, keeping its inode; changed and new files are written', () => {
      const same = inode(join(target, 'same.yaml'));
      const changed = inode(join(target, 'changed.yaml'));
      replaceWith(target, [{ path: 'same.yaml', content: 'same' }, { path: 'changed.yaml', content: 'new' }, { path: 'new.yaml', content: 'n' }]);
      expect(inode(join(target, 'same.yaml'))).toBe(same);
      // The old folder's name for it is gone with the old folder.
      expect(statSync(join(target, 'same.yaml')).nlink).toBe(1);
      // Same size, other bytes: written anew.
      expect(inode(join(target, 'changed.yaml'))).not.toBe(changed);
      expect(readFileSync(join(target, 'changed.yaml'), 'utf8')).toBe('new');
      expect(readdirSync(target).sort()).toEqual(['changed.yaml', 'new.yaml', 'same.yaml']);
    });

    test('stays as it was in the previous output when the synth fails after linking it', () => {
      const same = inode(join(target, 'same.yaml'));
      expect(() => replaceDirectory(target, staging => {
        writeFiles(staging, [{ path: 'same.yaml', content: 'same' }]);
        throw new Error('rendering failed');
      })).toThrow('rendering failed');
      expect(inode(join(target, 'same.yaml'))).toBe(same);
      expect(statSync(join(target, 'same.yaml')).nlink).toBe(1);
      expect(readdirSync(target).sort()).toEqual(['changed.yaml', 'old', 'same.yaml']);
    });

    test('is written where the previous output has a symbolic link, not a file', () => {
      symlinkSync(join(target, 'same.yaml'), join(target, 'pointer.yaml'));
      replaceWith(target, [{ path: 'pointer.yaml', content: 'same' }]);
      expect(statSync(join(target, 'pointer.yaml')).isFile()).toBe(true);
      expect(fs.lstatSync(join(target, 'pointer.yaml')).isSymbolicLink()).toBe(false);
      expect(readFileSync(join(target, 'pointer.yaml'), 'utf8')).toBe('same');
    });

    test('is written where it cannot be linked (a file system without hard links)', () => {
      const same = inode(join(target, 'same.yaml'));
      const link = jest.spyOn(fs, 'linkSync').mockImplementation(() => {
        throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
      });
      replaceWith(target, [{ path: 'same.yaml', content: 'same' }]);
      expect(link).toHaveBeenCalledTimes(1);
      expect(inode(join(target, 'same.yaml'))).not.toBe(same);
      expect(readFileSync(join(target, 'same.yaml'), 'utf8')).toBe('same');
    });
  });
});
