import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** A record as a Lua filter sees and returns it: flat string fields are enough for these tests. */
export type LuaRecord = Record<string, string>;

/** What a Fluent Bit Lua filter returned for one record. */
export interface LuaResult {
  readonly code: number;
  readonly record: LuaRecord;
}

const HARNESS = `
local script, fn = arg[1], arg[2]
dofile(script)
local filter = _G[fn]
for line in io.lines(arg[3]) do
  local tag, fields = line:match("^([^\\t]*)\\t?(.*)$")
  local record = {}
  for key, value in fields:gmatch("([^=\\t]+)=([^\\t]*)") do record[key] = value end
  local code, _, out = filter(tag, 0, record)
  local keys = {}
  for key in pairs(out or {}) do keys[#keys + 1] = key end
  table.sort(keys)
  local parts = { tostring(code) }
  for _, key in ipairs(keys) do parts[#parts + 1] = key .. "=" .. tostring(out[key]) end
  print(table.concat(parts, "\\t"))
end
`;

/**
 * Runs a Fluent Bit Lua filter under LuaJIT, the Lua Fluent Bit embeds
 * (Debian's luajit package), on records given by tag: calls `fn(tag, 0,
 * record)` for each, with `env` as the process environment.
 */
export function runLuaFilter(script: string, fn: string, records: readonly { tag: string; record: LuaRecord }[], env: Record<string, string>): LuaResult[] {
  const folder = mkdtempSync(join(tmpdir(), 'prodk8s-lua-'));
  try {
    writeFileSync(join(folder, 'filter.lua'), script);
    writeFileSync(join(folder, 'harness.lua'), HARNESS);
    writeFileSync(join(folder, 'records.tsv'), records.map(({ tag, record }) => [tag, ...Object.entries(record).map(([k, v]) => `${k}=${v}`)].join('\t')).join('\n') + '\n');
    let output: string;
    try {
      output = execFileSync('luajit', ['harness.lua', 'filter.lua', fn, 'records.tsv'], { cwd: folder, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const e = error as { code?: string; stderr?: string; message: string };
      if (e.code === 'ENOENT') throw new Error('luajit is not installed: the log agent tests need Debian\'s luajit package (apt-get install --no-install-recommends luajit)');
      throw new Error(`luajit failed:\n${e.stderr ?? e.message}`);
    }
    return output.trimEnd().split('\n').map(line => {
      const [code, ...fields] = line.split('\t');
      return { code: Number(code), record: Object.fromEntries(fields.map(field => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)])) };
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
