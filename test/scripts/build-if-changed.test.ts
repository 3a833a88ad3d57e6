import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';

const { digest } = require('../../scripts/build-if-changed.js') as { digest: (root: string) => string };

describe('the digest that decides whether npm run synth compiles first', () => {
  const root = mkdtempSync(join(tmpdir(), 'prodk8s-build-inputs-'));
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  beforeAll(() => {
    write('constructs/a.ts', 'export const a = 1;\n');
    write('src/environments/dev.ts', 'export const dev = {};\n');
    write('src/node-options.ts', 'export const options = [];\n');
    write('tsconfig.json', '{}\n');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('changes with a library source, its compiler settings or a new file', () => {
    const before = digest(root);
    write('constructs/a.ts', 'export const a = 2;\n');
    const edited = digest(root);
    expect(edited).not.toBe(before);
    write('tsconfig.json', '{ "compilerOptions": {} }\n');
    expect(digest(root)).not.toBe(edited);
    const settled = digest(root);
    write('stacks/b.ts', 'export const b = 1;\n');
    expect(digest(root)).not.toBe(settled);
  });

  test('does not change with the environments, which the synth loads itself, nor with files outside the build', () => {
    const before = digest(root);
    write('src/environments/dev.ts', 'export const dev = { edited: true };\n');
    write('test/x.test.ts', 'test("x", () => {});\n');
    write('dist/dev/SUMMARY.md', '# dev\n');
    expect(digest(root)).toBe(before);
  });
});
