import fs = require('fs');
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { homedir, hostname, tmpdir } from 'os';
import { join, resolve } from 'path';
import { OutputError } from '../../synth/output-error';
import { OUTPUT_MARKER, OutputFile, removeTree, replaceOutput, writeFiles } from '../../synth/output-folder';

/** Replaces `target` with exactly `files`. */
const replaceWith = (target: string, files: OutputFile[]) => replaceOutput(target, staging => writeFiles(staging, files));

/** The inode of a file: the same inode is the same file, linked rather than written again. */
const inode = (path: string) => statSync(path).ino;

/** What replaceOutput throws, or undefined. */
function failureOf(work: () => void): Error | undefined {
  try {
    work();
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

/**
 * Makes removing and listing refuse what the file system refuses a user other
 * than root (the tests may run as root, whom it refuses nothing): an entry of
 * a folder without its owner's write permission cannot be removed, a folder
 * without read permission cannot be listed. Returns the undo.
 */
function refusedAsAUser(): () => void {
  const refused = (folder: string, bit: number) => (fs.statSync(folder).mode & bit) === 0;
  const refusal = (call: string, path: string) => Object.assign(new Error(`EACCES: permission denied, ${call} '${path}'`), { code: 'EACCES', syscall: call, path });
  const { unlinkSync, rmdirSync, readdirSync: list } = fs;
  const spies = [
    jest.spyOn(fs, 'unlinkSync').mockImplementation(path => {
      if (refused(resolve(String(path), '..'), 0o200)) throw refusal('unlink', String(path));
      return unlinkSync(path);
    }),
    jest.spyOn(fs, 'rmdirSync').mockImplementation((path, options) => {
      if (refused(resolve(String(path), '..'), 0o200)) throw refusal('rmdir', String(path));
      return rmdirSync(path, options);
    }),
    jest.spyOn(fs, 'readdirSync').mockImplementation(((path: fs.PathLike, options?: unknown) => {
      if (refused(String(path), 0o400)) throw refusal('scandir', String(path));
      return list(path, options as never);
    }) as typeof fs.readdirSync),
  ];
  return () => spies.forEach(spy => spy.mockRestore());
}

/** An output folder a synth wrote, with a stale file in it. */
function previousOutput(target: string): void {
  mkdirSync(join(target, 'old'), { recursive: true });
  writeFileSync(join(target, OUTPUT_MARKER), 'marker');
  writeFileSync(join(target, 'old', 'stale.yaml'), 'stale');
}

describe('replaceOutput', () => {
  let parent: string;
  let target: string;
  beforeEach(() => {
    parent = realpathSync(mkdtempSync(join(tmpdir(), 'prodk8s-replace-')));
    target = join(parent, 'dist');
    previousOutput(target);
  });

  test('replaces the folder with exactly the given files and the marker, leaving nothing beside it', () => {
    replaceWith(target, [{ path: 'dev/manifests/a.yaml', content: 'a' }, { path: 'top.txt', content: 'top' }]);
    expect(readFileSync(join(target, 'dev/manifests/a.yaml'), 'utf8')).toBe('a');
    expect(readdirSync(target).sort()).toEqual([OUTPUT_MARKER, 'dev', 'top.txt']);
    expect(readFileSync(join(target, OUTPUT_MARKER), 'utf8')).toContain('output of `prodk8s synth`');
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  test('makes each folder of the new output once, however many files go into it, and none that a deeper one made', () => {
    const made = jest.spyOn(fs, 'mkdirSync');
    try {
      replaceWith(target, ['dev/node/a.yaml', 'dev/node/b.yaml', 'dev/SUMMARY.md', 'dev/node/c.yaml', 'prod/SUMMARY.md'].map(path => ({ path, content: path })));
      const folders = made.mock.calls.map(([path]) => /\/((dev|prod)(\/node)?)$/.exec(String(path))?.[1]).filter(folder => folder !== undefined);
      expect(folders).toEqual(['dev/node', 'prod']);
    } finally {
      made.mockRestore();
    }
    expect(readdirSync(join(target, 'dev', 'node')).sort()).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
    expect(readFileSync(join(target, 'dev', 'SUMMARY.md'), 'utf8')).toBe('dev/SUMMARY.md');
  });

  test('creates the folder, and its parents, when it does not exist', () => {
    const fresh = join(parent, 'nested', 'out');
    replaceWith(fresh, [{ path: 'x.yaml', content: 'x' }]);
    expect(readFileSync(join(fresh, 'x.yaml'), 'utf8')).toBe('x');
    expect(readdirSync(join(parent, 'nested'))).toEqual(['out']);
  });

  test('removes the parents it made when it fails, and only those', () => {
    const failing = (folder: string) => failureOf(() => replaceWith(folder, [{ path: 'a', content: '1' }, { path: 'a/b', content: '2' }]));
    expect(failing(join(parent, 'new', 'deeper', 'out'))).toBeInstanceOf(OutputError);
    expect(readdirSync(parent)).toEqual(['dist']);
    mkdirSync(join(parent, 'kept'));
    expect(failing(join(parent, 'kept', 'deeper', 'out'))).toBeInstanceOf(OutputError);
    expect(readdirSync(parent).sort()).toEqual(['dist', 'kept']);
    expect(readdirSync(join(parent, 'kept'))).toEqual([]);
  });

  test('writes into an empty folder that has no marker', () => {
    const empty = join(parent, 'empty');
    mkdirSync(empty);
    replaceWith(empty, [{ path: 'x.yaml', content: 'x' }]);
    expect(readdirSync(empty).sort()).toEqual([OUTPUT_MARKER, 'x.yaml']);
  });

  test('gives folders and files the permissions of the umask, not 0700', () => {
    const umask = process.umask(0o022);
    try {
      replaceWith(target, [{ path: 'dev/a.yaml', content: 'a' }]);
    } finally {
      process.umask(umask);
    }
    expect(statSync(target).mode & 0o777).toBe(0o755);
    expect(statSync(join(target, 'dev')).mode & 0o777).toBe(0o755);
    expect(statSync(join(target, 'dev/a.yaml')).mode & 0o777).toBe(0o644);
  });

  test('leaves the folder as it was, and nothing beside it, when a write fails', () => {
    // 'a' is written as a file, so 'a/b' cannot be created below it.
    const error = failureOf(() => replaceWith(target, [{ path: 'a', content: '1' }, { path: 'a/b', content: '2' }]));
    expect(error).toBeInstanceOf(OutputError);
    expect(error!.message).toMatch(new RegExp(`^cannot mkdir ${parent}/\\.dist\\.prodk8s-staging-[0-9a-f]{8}/a: file already exists \\(EEXIST\\)$`));
    expect(readFileSync(join(target, 'old', 'stale.yaml'), 'utf8')).toBe('stale');
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  test('leaves the folder as it was when filling the staging folder fails after writing', () => {
    expect(() => replaceOutput(target, staging => {
      writeFiles(staging, [{ path: 'half.yaml', content: 'half' }]);
      throw new Error('rendering failed');
    })).toThrow('rendering failed');
    expect(readdirSync(target).sort()).toEqual([OUTPUT_MARKER, 'old']);
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  test('turns each file system failure into one line naming the path and the cause', () => {
    for (const [code, cause] of [['ENOSPC', 'no space left on device'], ['EROFS', 'read-only file system'], ['EACCES', 'permission denied']]) {
      const writeFileSync = fs.writeFileSync;
      const write = jest.spyOn(fs, 'writeFileSync').mockImplementation((path, ...rest) => {
        if (!String(path).endsWith(OUTPUT_MARKER)) return writeFileSync(path, ...rest);
        throw Object.assign(new Error(`${code}: ${cause}, open '${String(path)}'`), { code, syscall: 'open', path: String(path) });
      });
      const error = failureOf(() => replaceWith(target, [{ path: 'a.yaml', content: 'a' }]));
      write.mockRestore();
      expect(error).toBeInstanceOf(OutputError);
      expect(error!.message).toMatch(new RegExp(`^cannot open ${parent}/\\.dist\\.prodk8s-staging-[0-9a-f]{8}/\\.prodk8s-output: ${cause} \\(${code}\\)$`));
      expect(readdirSync(target).sort()).toEqual([OUTPUT_MARKER, 'old']);
      expect(readdirSync(parent)).toEqual(['dist']);
    }
  });

  test('names the file that is in the way when the parent of the folder is a file', () => {
    writeFileSync(join(parent, 'file'), 'x');
    const error = failureOf(() => replaceWith(join(parent, 'file', 'out'), []));
    expect(error).toBeInstanceOf(OutputError);
    expect(error!.message).toBe(`cannot lstat ${parent}/file/out: not a directory (ENOTDIR)`);
  });

  describe('refuses', () => {
    const refusal = (out: string) => failureOf(() => replaceWith(out, [{ path: 'x.yaml', content: 'x' }]));
    let cwd: string;
    beforeEach(() => {
      cwd = process.cwd();
    });
    afterEach(() => process.chdir(cwd));

    test('the current folder, with its files untouched', () => {
      process.chdir(target);
      expect(refusal('.')?.message).toBe('refusing to write into .: it is the current folder. Give --out a folder of its own, such as dist');
      expect(readdirSync(target).sort()).toEqual([OUTPUT_MARKER, 'old']);
    });

    test('an ancestor of the current folder', () => {
      process.chdir(join(target, 'old'));
      expect(refusal('../..')?.message).toBe(`refusing to write into ../..: it holds the current folder ${target}/old. Give --out a folder of its own, such as dist`);
      expect(refusal('/')?.message).toBe('refusing to write into /: it is the root of the file system. Give --out a folder of its own, such as dist');
    });

    test('the home folder', () => {
      expect(refusal(homedir())?.message).toBe(`refusing to write into ${homedir()}: it is the home folder. Give --out a folder of its own, such as dist`);
    });

    test('a folder holding .git, marked or not', () => {
      mkdirSync(join(target, '.git'));
      expect(refusal(target)?.message).toBe(`refusing to replace ${target}: it holds .git, a repository; give --out a folder of its own inside the repository, such as dist`);
      expect(existsSync(join(target, '.git'))).toBe(true);
    });

    test('a regular file', () => {
      writeFileSync(join(parent, 'notes.txt'), 'mine');
      expect(refusal(join(parent, 'notes.txt'))?.message).toBe(`refusing to replace ${parent}/notes.txt: it is not a folder; remove it, or give --out a folder`);
      expect(readFileSync(join(parent, 'notes.txt'), 'utf8')).toBe('mine');
    });

    test('a folder with files that prodk8s did not write', () => {
      const docs = join(parent, 'docs');
      mkdirSync(docs);
      writeFileSync(join(docs, 'guide.md'), 'mine');
      expect(refusal(docs)?.message).toBe(`refusing to replace ${docs}: it holds files that prodk8s did not write (no ${OUTPUT_MARKER} marker); `
        + 'give --out a new or empty folder, or move those files away (if it holds an earlier prodk8s output, delete the folder)');
      expect(readdirSync(docs)).toEqual(['guide.md']);
    });

    test('a folder inside another output, which its next synth would delete', () => {
      expect(refusal(join(target, 'old'))?.message).toBe(`refusing to write into ${target}/old: it is inside ${target}, the output of another synth `
        + '(to render some environments only, use --env). Give --out a folder of its own, such as dist');
      expect(refusal(join(target, 'new/deeper'))?.message).toContain(`it is inside ${target}, the output of another synth`);
      expect(readFileSync(join(target, 'old', 'stale.yaml'), 'utf8')).toBe('stale');
    });

    test('a symbolic link into a folder that does not exist', () => {
      symlinkSync(join(parent, 'missing/out'), join(parent, 'link'));
      expect(refusal(join(parent, 'link'))?.message).toBe(`${parent}/link is a symbolic link to ${parent}/missing/out, whose folder ${parent}/missing does not exist: `
        + 'create it, or give --out a folder of its own');
    });

    test('a symbolic link to a folder with files prodk8s did not write', () => {
      const docs = join(parent, 'docs');
      mkdirSync(docs);
      writeFileSync(join(docs, 'guide.md'), 'mine');
      symlinkSync(docs, join(parent, 'link'));
      expect(refusal(join(parent, 'link'))?.message).toContain(`refusing to replace ${docs}: it holds files that prodk8s did not write`);
    });
  });

  test('writes through a symbolic link to a folder that is missing: the folder is made, the link stays', () => {
    symlinkSync(join(parent, 'real'), join(parent, 'link'));
    replaceWith(join(parent, 'link'), [{ path: 'x.yaml', content: 'x' }]);
    expect(fs.lstatSync(join(parent, 'link')).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(parent, 'real')).sort()).toEqual([OUTPUT_MARKER, 'x.yaml']);
  });

  test('replaces an output of a prodk8s from before the marker, carrying its Terraform state over', () => {
    const earlier = join(parent, 'earlier');
    mkdirSync(join(earlier, 'prod/terraform'), { recursive: true });
    writeFileSync(join(earlier, 'prod/SUMMARY.md'), '<!-- Generated by prodk8s for the "prod" environment. Do not edit. -->\n# prod\n');
    writeFileSync(join(earlier, 'prod/terraform/terraform.prod.tfstate'), 'state');
    replaceOutput(earlier, staging => writeFiles(staging, [{ path: 'prod/SUMMARY.md', content: 'new' }]), () => ['prod/terraform/terraform.prod.tfstate']);
    expect(readFileSync(join(earlier, 'prod/terraform/terraform.prod.tfstate'), 'utf8')).toBe('state');
    expect(readdirSync(earlier).sort()).toEqual([OUTPUT_MARKER, 'prod']);
    // A folder that merely looks alike is still refused.
    const alike = join(parent, 'alike');
    mkdirSync(join(alike, 'prod'), { recursive: true });
    writeFileSync(join(alike, 'prod/SUMMARY.md'), '# my own summary\n');
    expect(() => replaceWith(alike, [])).toThrow('it holds files that prodk8s did not write');
  });

  test('writes through a symbolic link: the target is replaced, the link stays', () => {
    const link = join(parent, 'link');
    symlinkSync(target, link);
    replaceWith(link, [{ path: 'x.yaml', content: 'x' }]);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(target).sort()).toEqual([OUTPUT_MARKER, 'x.yaml']);
    expect(readdirSync(parent).sort()).toEqual(['dist', 'link']);
  });

  test('carries the entries named into the new output, byte for byte and as the same files', () => {
    mkdirSync(join(target, 'prod/terraform/.terraform/providers'), { recursive: true });
    writeFileSync(join(target, 'prod/terraform/.terraform/providers/helm'), 'binary');
    symlinkSync('providers/helm', join(target, 'prod/terraform/.terraform/current'));
    const before = inode(join(target, 'old/stale.yaml'));
    replaceOutput(target, staging => writeFiles(staging, [{ path: 'prod/terraform/cdk.tf.json', content: '{}' }]),
      () => ['old', 'prod/terraform/.terraform']);
    expect(inode(join(target, 'old/stale.yaml'))).toBe(before);
    expect(readFileSync(join(target, 'prod/terraform/.terraform/providers/helm'), 'utf8')).toBe('binary');
    expect(fs.readlinkSync(join(target, 'prod/terraform/.terraform/current'))).toBe('providers/helm');
    expect(readdirSync(join(target, 'prod/terraform')).sort()).toEqual(['.terraform', 'cdk.tf.json']);
  });

  test('carries a read-only folder with its mode, and its files, and removes the old output\'s copy of it', () => {
    mkdirSync(join(target, 'ro'));
    writeFileSync(join(target, 'ro/file'), 'kept');
    fs.chmodSync(join(target, 'ro'), 0o555);
    const restore = refusedAsAUser();
    try {
      replaceOutput(target, () => undefined, () => ['ro']);
      expect(readdirSync(parent)).toEqual(['dist']);
      replaceOutput(target, () => undefined, () => ['ro']);
    } finally {
      restore();
    }
    expect(readdirSync(parent)).toEqual(['dist']);
    expect(statSync(join(target, 'ro')).mode & 0o777).toBe(0o555);
    expect(readFileSync(join(target, 'ro/file'), 'utf8')).toBe('kept');
    fs.chmodSync(join(target, 'ro'), 0o755);
  });

  test('puts the old output back when the new one cannot be renamed into place', () => {
    const renameSync = fs.renameSync;
    const rename = jest.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      if (String(from).includes('prodk8s-staging')) {
        throw Object.assign(new Error(`ENOSPC: no space left on device, rename '${String(from)}' -> '${String(to)}'`),
          { code: 'ENOSPC', syscall: 'rename', path: String(from), dest: String(to) });
      }
      return renameSync(from, to);
    });
    const error = failureOf(() => replaceWith(target, [{ path: 'new.yaml', content: 'new' }]));
    rename.mockRestore();
    expect(error?.message).toMatch(new RegExp(`^cannot rename ${parent}/\\.dist\\.prodk8s-staging-[0-9a-f]{8} -> ${target}: no space left on device \\(ENOSPC\\)$`));
    expect(readdirSync(target).sort()).toEqual([OUTPUT_MARKER, 'old']);
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  test('succeeds when the old output cannot be removed after the swap; the next synth removes what is left of it', () => {
    const unlinkSync = fs.unlinkSync;
    const unlink = jest.spyOn(fs, 'unlinkSync').mockImplementation(path => {
      if (/prodk8s-retired-[0-9a-f]{8}\/old\/stale\.yaml$/.test(String(path))) throw Object.assign(new Error('EBUSY: resource busy or locked'), { code: 'EBUSY' });
      return unlinkSync(path);
    });
    replaceWith(target, [{ path: 'new.yaml', content: 'new' }]);
    unlink.mockRestore();
    expect(readdirSync(target).sort()).toEqual([OUTPUT_MARKER, 'new.yaml']);
    const left = readdirSync(parent).filter(name => name.startsWith('.dist.prodk8s-retired-'));
    expect(left).toHaveLength(1);
    expect(readdirSync(join(parent, left[0]), { recursive: true })).toContain(join('old', 'stale.yaml'));
    replaceWith(target, [{ path: 'again.yaml', content: 'again' }]);
    expect(readdirSync(parent)).toEqual(['dist']);
  });

  describe('one synth at a time', () => {
    const lockPath = () => join(parent, '.dist.prodk8s-lock');

    test('a second synth into the same folder fails at once, and the first one goes on', () => {
      let second: Error | undefined;
      replaceOutput(target, staging => {
        second = failureOf(() => replaceWith(target, [{ path: 'second.yaml', content: '2' }]));
        writeFiles(staging, [{ path: 'first.yaml', content: '1' }]);
      });
      expect(second).toBeInstanceOf(OutputError);
      expect(second!.message).toBe(`${target} is being written by another prodk8s synth (process ${process.pid}@${hostname()}): `
        + `wait for it to finish, or delete ${lockPath()} if that process no longer runs`);
      expect(readdirSync(target).sort()).toEqual([OUTPUT_MARKER, 'first.yaml']);
      expect(existsSync(lockPath())).toBe(false);
    });

    test('the lock of a synth that died on this host is taken over', () => {
      const dead = spawnSync('node', ['-e', 'process.exit(0)']).pid;
      writeFileSync(lockPath(), `${dead}@${hostname()}\n`);
      replaceWith(target, [{ path: 'x.yaml', content: 'x' }]);
      expect(readdirSync(target).sort()).toEqual([OUTPUT_MARKER, 'x.yaml']);
      expect(existsSync(lockPath())).toBe(false);
    });

    test('a lock that cannot be written (no space left) is not left behind to keep later synths out', () => {
      const writeFileSync = fs.writeFileSync;
      const write = jest.spyOn(fs, 'writeFileSync').mockImplementation((path, data, options) => {
        if (!String(path).endsWith('prodk8s-lock')) return writeFileSync(path, data, options);
        writeFileSync(path, '', options);
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
      });
      expect(failureOf(() => replaceWith(target, []))?.message).toBe(`cannot write ${lockPath()}: no space left on device (ENOSPC)`);
      write.mockRestore();
      expect(existsSync(lockPath())).toBe(false);
      replaceWith(target, [{ path: 'x.yaml', content: 'x' }]);
      expect(readdirSync(target).sort()).toEqual([OUTPUT_MARKER, 'x.yaml']);
    });

    test('an empty lock is its owner\'s while it may still be writing it, and stale after', () => {
      writeFileSync(lockPath(), '');
      expect(failureOf(() => replaceWith(target, []))?.message).toContain('is being written by another prodk8s synth (process unknown)');
      const old = new Date(Date.now() - 60_000);
      fs.utimesSync(lockPath(), old, old);
      replaceWith(target, [{ path: 'x.yaml', content: 'x' }]);
      expect(existsSync(lockPath())).toBe(false);
    });

    test('the lock of a synth on another host is left for a person to judge', () => {
      writeFileSync(lockPath(), '1@build-agent-7\n');
      expect(failureOf(() => replaceWith(target, []))?.message).toContain('is being written by another prodk8s synth (process 1@build-agent-7)');
      expect(readFileSync(lockPath(), 'utf8')).toBe('1@build-agent-7\n');
    });
  });

  describe('a synth killed at each step of the swap', () => {
    /** Runs replaceOutput in a child process that is killed at `step`; returns its signal. */
    function killedAt(step: string, files: OutputFile[]): NodeJS.Signals | null {
      const script = `require(${JSON.stringify(require.resolve('jiti'))}).createJiti(${JSON.stringify(__filename)}).import(${JSON.stringify(resolve(__dirname, '../../synth/output-folder.ts'))})
        .then(m => m.replaceOutput(${JSON.stringify(target)}, s => m.writeFiles(s, ${JSON.stringify(files)})));`;
      return spawnSync('node', ['-e', script], { env: { ...process.env, PRODK8S_TEST_CRASH_AT: step }, cwd: parent }).signal;
    }
    const NEW = [{ path: 'new.yaml', content: 'new' }];

    test.each([
      ['locked', 'old'],
      ['staged', 'old'],
      ['retired', 'missing'],
      ['swapped', 'new'],
    ])('at %s leaves the %s output, and the next synth recovers and cleans up', (step, left) => {
      expect(killedAt(step, NEW)).toBe('SIGKILL');
      const entries = existsSync(target) ? readdirSync(target).sort() : 'missing';
      expect(entries).toEqual({ old: [OUTPUT_MARKER, 'old'], new: [OUTPUT_MARKER, 'new.yaml'], missing: 'missing' }[left]);
      // Only between the two renames is the folder missing: the old output waits beside it.
      if (left === 'missing') expect(readdirSync(parent).filter(name => name.startsWith('.dist.prodk8s-retired-'))).toHaveLength(1);

      replaceWith(target, [{ path: 'again.yaml', content: 'again' }]);
      expect(readdirSync(target).sort()).toEqual([OUTPUT_MARKER, 'again.yaml']);
      expect(readdirSync(parent)).toEqual(['dist']);
    });

    test('through a symbolic link, between the two renames, the next synth finds and restores the old output', () => {
      const real = join(parent, 'real');
      fs.renameSync(target, real);
      symlinkSync(real, target);
      killedAt('retired', NEW);
      expect(existsSync(real)).toBe(false);
      replaceWith(target, [{ path: 'again.yaml', content: 'again' }]);
      expect(fs.lstatSync(target).isSymbolicLink()).toBe(true);
      expect(readdirSync(real).sort()).toEqual([OUTPUT_MARKER, 'again.yaml']);
      expect(readdirSync(parent).sort()).toEqual(['dist', 'real']);
    });

    test('between the two renames, the next synth puts the old output back before anything else', () => {
      killedAt('retired', NEW);
      // A model that fails after the recovery must leave the old output in place.
      expect(() => replaceOutput(target, () => {
        throw new Error('rendering failed');
      })).toThrow('rendering failed');
      expect(readFileSync(join(target, 'old/stale.yaml'), 'utf8')).toBe('stale');
    });
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
      expect(readdirSync(target).sort()).toEqual([OUTPUT_MARKER, 'changed.yaml', 'new.yaml', 'same.yaml']);
    });

    test('stays as it was in the previous output when the synth fails after linking it', () => {
      const same = inode(join(target, 'same.yaml'));
      expect(() => replaceOutput(target, staging => {
        writeFiles(staging, [{ path: 'same.yaml', content: 'same' }]);
        throw new Error('rendering failed');
      })).toThrow('rendering failed');
      expect(inode(join(target, 'same.yaml'))).toBe(same);
      expect(statSync(join(target, 'same.yaml')).nlink).toBe(1);
      expect(readdirSync(target).sort()).toEqual([OUTPUT_MARKER, 'changed.yaml', 'old', 'same.yaml']);
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

describe('removeTree', () => {
  test('removes a folder with everything in it, and never what a symbolic link in it points to', () => {
    const parent = realpathSync(mkdtempSync(join(tmpdir(), 'prodk8s-remove-')));
    const outside = join(parent, 'outside');
    mkdirSync(join(outside, 'kept'), { recursive: true });
    writeFileSync(join(outside, 'kept', 'file.txt'), 'kept');
    const tree = join(parent, 'tree');
    mkdirSync(join(tree, 'a', 'b', 'c'), { recursive: true });
    mkdirSync(join(tree, 'empty'));
    writeFileSync(join(tree, 'top.yaml'), 'top');
    writeFileSync(join(tree, 'a', 'b', 'c', 'deep.yaml'), 'deep');
    fs.linkSync(join(tree, 'top.yaml'), join(tree, 'a', 'linked.yaml'));
    symlinkSync(outside, join(tree, 'a', 'to-folder'));
    symlinkSync(join(outside, 'kept', 'file.txt'), join(tree, 'to-file'));
    symlinkSync(join(parent, 'missing'), join(tree, 'dangling'));
    removeTree(tree);
    expect(readdirSync(parent)).toEqual(['outside']);
    expect(readFileSync(join(outside, 'kept', 'file.txt'), 'utf8')).toBe('kept');
  });

  test('removes a symbolic link given as the tree, never what it points to', () => {
    const parent = realpathSync(mkdtempSync(join(tmpdir(), 'prodk8s-remove-')));
    mkdirSync(join(parent, 'real'));
    writeFileSync(join(parent, 'real', 'kept.txt'), 'kept');
    symlinkSync(join(parent, 'real'), join(parent, 'link'));
    removeTree(join(parent, 'link'));
    expect(readdirSync(parent)).toEqual(['real']);
    expect(readFileSync(join(parent, 'real', 'kept.txt'), 'utf8')).toBe('kept');
  });

  test('removes read-only folders in it, as a user other than root is refused them', () => {
    const parent = realpathSync(mkdtempSync(join(tmpdir(), 'prodk8s-remove-')));
    mkdirSync(join(parent, 'tree', 'ro', 'unreadable'), { recursive: true });
    writeFileSync(join(parent, 'tree', 'ro', 'file'), 'x');
    writeFileSync(join(parent, 'tree', 'ro', 'unreadable', 'file'), 'y');
    fs.chmodSync(join(parent, 'tree', 'ro', 'unreadable'), 0o000);
    fs.chmodSync(join(parent, 'tree', 'ro'), 0o555);
    const restore = refusedAsAUser();
    try {
      removeTree(join(parent, 'tree'));
    } finally {
      restore();
    }
    expect(readdirSync(parent)).toEqual([]);
  });

  test('throws, naming the folder, when it is not there', () => {
    const parent = realpathSync(mkdtempSync(join(tmpdir(), 'prodk8s-remove-')));
    expect(() => removeTree(join(parent, 'missing'))).toThrow(/ENOENT.*missing/);
  });
});
