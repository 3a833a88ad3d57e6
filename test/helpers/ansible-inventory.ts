import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A group as `ansible-inventory --list` shows it: its own hosts and its child groups. */
export interface AnsibleGroup {
  readonly hosts: string[];
  readonly children: string[];
}

/** What Ansible makes of an inventory. */
export interface AnsibleInventory {
  /** Every group Ansible lists (it leaves out groups without hosts or children), `all` included. */
  readonly groups: Record<string, AnsibleGroup>;
  /** Each host's variables, merged as a play sees them: host vars over group_vars of the child groups over those of the parents. */
  readonly hostvars: Record<string, Record<string, any>>;
  /** What Ansible printed on stderr: its warnings. Empty for a clean inventory. */
  readonly stderr: string;
}

const COMMAND = 'ansible-inventory';

/**
 * Parses an inventory with the real `ansible-inventory --list`. `files` maps
 * paths relative to the inventory folder (`hosts.yaml`,
 * `group_vars/<group>/<name>.yml`) to their content. Ansible runs with the
 * YAML inventory plugin only, an empty configuration, and a home and temp
 * folder of its own, so that no user or machine setting changes the result;
 * an inventory it cannot parse is an error, not a warning. Throws with
 * Ansible's stderr when it fails, and when it is not installed.
 */
export function ansibleInventory(files: Record<string, string>): AnsibleInventory {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prodk8s-ansible-'));
  try {
    const inventory = path.join(dir, 'inventory');
    for (const [file, content] of Object.entries(files)) {
      const target = path.resolve(inventory, file);
      if (!target.startsWith(inventory + path.sep)) throw new Error(`${file}: not a path inside the inventory folder`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, content);
    }
    const config = path.join(dir, 'ansible.cfg');
    fs.writeFileSync(config, '');
    const stderrFile = path.join(dir, 'stderr.txt');
    const stderrFd = fs.openSync(stderrFile, 'w');
    let stdout: string;
    try {
      stdout = execFileSync(COMMAND, ['-i', path.join(inventory, 'hosts.yaml'), '--list'], {
        cwd: dir,
        env: {
          ...withoutAnsibleSettings(process.env),
          ANSIBLE_CONFIG: config,
          ANSIBLE_INVENTORY_UNPARSED_FAILED: 'true',
          ANSIBLE_INVENTORY_ENABLED: 'yaml',
          ANSIBLE_HOME: path.join(dir, 'home'),
          ANSIBLE_LOCAL_TEMP: path.join(dir, 'tmp'),
          ANSIBLE_NOCOLOR: '1',
        },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', stderrFd],
        maxBuffer: 64 * 1024 * 1024,
        timeout: 60_000,
      });
    } catch (error: any) {
      if (error?.code === 'ENOENT') {
        throw new Error(`${COMMAND} is not installed: the Kubespray inventory tests need Debian's ansible-core `
          + '(sudo apt-get install --no-install-recommends ansible-core)');
      }
      const stderr = fs.readFileSync(stderrFile, 'utf8');
      throw new Error(`${COMMAND} failed (${error?.status != null ? `exit ${error.status}` : error?.signal ?? error?.message}):\n${stderr}`);
    } finally {
      fs.closeSync(stderrFd);
    }
    const { _meta, ...groups } = JSON.parse(stdout) as Record<string, any>;
    return {
      groups: Object.fromEntries(Object.entries(groups).map(([name, group]) => [name, {
        hosts: group.hosts ?? [],
        children: group.children ?? [],
      }])),
      hostvars: _meta?.hostvars ?? {},
      stderr: fs.readFileSync(stderrFile, 'utf8').trim(),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every host of a group: its own and, recursively, those of its children. */
export function hostsOf(inventory: AnsibleInventory, group: string): string[] {
  const seen = new Set<string>();
  const hosts = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const found = inventory.groups[name];
    found?.hosts.forEach(host => hosts.add(host));
    found?.children.forEach(visit);
  };
  visit(group);
  return [...hosts];
}

/** The groups a host belongs to, directly or through a child group, sorted. */
export function groupsOf(inventory: AnsibleInventory, host: string): string[] {
  return Object.keys(inventory.groups).filter(group => hostsOf(inventory, group).includes(host)).sort();
}

/** The environment without ANSIBLE_* settings, so that the caller's configuration does not leak in. */
function withoutAnsibleSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('ANSIBLE_')));
}
