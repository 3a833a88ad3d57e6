import { availableParallelism } from 'os';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
import { Document, DUMP_SCHEMA, FromJsOptions, jsToAst, present, PresenterOptions } from 'js-yaml';
import { YAML_PRESENTER_OPTIONS, YAML_SCALAR_STYLE_RULES } from '../constructs/core/yaml-text';
import { OutputFile, Staging } from './output-folder';

/**
 * How every document is written: as `YAML_PRESENTER_OPTIONS` say, repeated
 * objects written out (no aliases), so that every document reads on its own
 * and diffs line by line. These are js-yaml's `dump` options, split between
 * its two steps, so that a whole file is presented at once.
 */
const AST_OPTIONS: FromJsOptions = { noRefs: true };
const PRESENTER_OPTIONS = YAML_PRESENTER_OPTIONS;
const PRESENTER: PresenterOptions = { ...PRESENTER_OPTIONS, schema: DUMP_SCHEMA, scalarStyleRules: YAML_SCALAR_STYLE_RULES };

/**
 * YAML text: one document per object, each opened by `---`, the header
 * comment inside the first. A comment before the first `---` would be a
 * document of its own to readers that split a stream by its separators
 * (apimachinery's YAMLReader, so kubeadm), and kubeadm refuses a document
 * without apiVersion and kind. Presented as one stream: the same bytes as
 * each object's own document joined, at a fraction of the per-call cost of
 * js-yaml's `dump`.
 */
export function yamlDocuments(objects: readonly object[], header: string): string {
  const documents: Document[] = [];
  for (const object of objects) {
    for (const document of jsToAst(object, DUMP_SCHEMA, AST_OPTIONS)) documents.push({ ...document, explicitStart: documents.length > 0 });
  }
  return `---\n${hashComment(header)}\n${present(documents, PRESENTER)}`;
}

/** A header of one or more lines as `#` comment lines. */
export function hashComment(header: string): string {
  return header.split('\n').map(line => `# ${line}`).join('\n');
}

/** One YAML file to write: its path, a header comment, then one document per object. */
export interface YamlFile {
  readonly path: string;
  readonly header: string;
  readonly objects: readonly object[];
  /**
   * A line before everything else, which the file's reader needs first (`#cloud-config`).
   * @default none: the file opens with `---`
   */
  readonly firstLine?: string;
}

/** A YAML file's text: its first line, if any, then its documents. */
function yamlFileText({ header, objects, firstLine }: YamlFile): string {
  return `${firstLine === undefined ? '' : `${firstLine}\n`}${yamlDocuments(objects, header)}`;
}

/**
 * Serializes YAML files as they are added, and keeps other files in their
 * place; `finish()` returns them all, in the order added. With a worker,
 * YAML files are serialized on a worker thread while the main thread renders
 * what comes next, and written into the synth's staging folder, if it has
 * one (`written`, the rest being the caller's to write); when the worker
 * falls behind, the main thread serializes the next file itself. The bytes
 * are the same either way: the same writer and options, and each file keeps
 * its objects' order.
 */
export class YamlFileWriter {
  private worker?: YamlWorker;
  private readonly slots: ({ readonly file: OutputFile } | { readonly path: string; readonly index: number })[] = [];
  private readonly writtenPaths = new Set<string>();

  /** With `worker`, a worker thread serializes from the start; without, each file is serialized when added, until `useWorker()`. */
  constructor({ worker }: { worker: boolean }) {
    if (worker) this.useWorker();
  }

  /**
   * From now on, files are serialized by a worker thread (started now,
   * unless one runs already), and with `staging`, written there as soon as
   * serialized (see `written`).
   */
  public useWorker(staging?: Staging): void {
    this.worker ??= new YamlWorker(staging);
  }

  /** The paths of the files written into the staging folder already: those the worker serialized. */
  public get written(): ReadonlySet<string> {
    return this.writtenPaths;
  }

  /** Serializes `file`. */
  public add(file: YamlFile): void {
    // A worker that has fallen behind gets no more: the main thread serializes this file itself.
    if (this.worker === undefined || this.worker.backlog > MAX_BACKLOG) {
      this.addText({ path: file.path, content: yamlFileText(file) });
      return;
    }
    this.slots.push({ path: file.path, index: this.worker.post(file) });
    if (this.worker.writes) this.writtenPaths.add(file.path);
  }

  /** Keeps `file`, a text written already, in its place among the others. */
  public addText(file: OutputFile): void {
    this.slots.push({ file });
  }

  /** Every file added, in order. Waits for the worker to finish. */
  public finish(): OutputFile[] {
    const texts = this.worker?.collect() ?? [];
    return this.slots.map(slot => ('file' in slot ? slot.file : { path: slot.path, content: texts[slot.index] }));
  }

  /**
   * Stops the worker without waiting for its work, when the synth fails
   * before `finish()`: it writes nothing more once this returns; settles
   * once it has stopped.
   */
  public abandon(): Promise<void> {
    return this.worker?.stop() ?? Promise.resolve();
  }
}

/**
 * How many objects the worker may have waiting before the main thread
 * serializes the next file itself (some 50 ms of work): the worker's queue
 * stays short, so it finishes soon after the main thread whichever of the two
 * is faster.
 */
const MAX_BACKLOG = 1000;

/** Below this many objects, a worker (starting its thread and loading js-yaml there) costs more than it saves. */
export const WORKER_THRESHOLD = 2000;

/**
 * Whether a worker serializes once a synth has `objects` objects: not for
 * few objects, nor on a single core. One is enough: it keeps pace with the
 * main thread rendering the objects (cdk8s's `toJson` takes longer than
 * serializing), and the main thread takes over files when it does not.
 */
export function useYamlWorker(objects: number, cores = availableParallelism()): boolean {
  return objects >= WORKER_THRESHOLD && cores > 1;
}

/**
 * The worker's whole program. It is evaluated from this text rather than
 * loaded from a file, so that it runs the same from compiled JavaScript and
 * under ts-jest. It loads the very js-yaml module the main thread uses, with
 * the same options, and repeats `yamlFileText` and `literalMultiline` in a
 * few lines; tests hold both paths to the same bytes. Each message is a file
 * to serialize, whose text goes back on the results port as soon as it is
 * serialized (the worker keeps none: a large estate's texts would otherwise
 * live in both threads at the end), or the failure; `null` asks it to end
 * once everything before is answered. Given a staging folder, it also
 * writes each file there before answering, as `writeFiles` would (repeated
 * for one file; tests hold both to the same files and links).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const { DEFAULT_SCALAR_STYLE_RULES, DUMP_SCHEMA, SCALAR_STYLE, jsToAst, present } = require(workerData.jsYaml);
// literalMultiline (constructs/core/yaml-text.ts), then js-yaml's rules.
const literalMultiline = layout => {
  if (layout.style === SCALAR_STYLE.PLAIN && !layout.isKey && layout.node.value.includes('\\n')
    && (layout.allowedStylesMask & (1 << SCALAR_STYLE.LITERAL_BLOCK)) !== 0) layout.style = SCALAR_STYLE.LITERAL_BLOCK;
};
const presenter = { ...workerData.presenter, schema: DUMP_SCHEMA, scalarStyleRules: [literalMultiline, ...Object.values(DEFAULT_SCALAR_STYLE_RULES)] };
let failed = false;
let sinceCollection = 0;
// writeFiles and linkUnchanged (synth/output-folder.ts), for one file: each file goes into the synth's staging folder as soon as
// it is serialized, linked from the previous output when unchanged. Busy while writing, and never once told to stop.
const fs = require('fs');
const { dirname, join } = require('path');
const staging = workerData.staging;
const made = new Set();
const write = (file, text) => {
  Atomics.store(workerData.writing, 0, 1);
  try {
    if (Atomics.load(workerData.writing, 1) === 1) return;
    const path = join(staging.directory, file);
    if (!made.has(dirname(path))) {
      fs.mkdirSync(dirname(path), { recursive: true });
      made.add(dirname(path));
    }
    if (staging.previous !== undefined) {
      try {
        const previous = join(staging.previous, file);
        const stats = fs.lstatSync(previous, { throwIfNoEntry: false });
        if (stats !== undefined && stats.isFile() && stats.size === Buffer.byteLength(text) && fs.readFileSync(previous, 'utf8') === text) {
          fs.linkSync(previous, path);
          return;
        }
      } catch {
        // Written instead.
      }
    }
    try {
      fs.writeFileSync(path, text);
    } catch (error) {
      throw Object.assign(error, { path: error.path === undefined ? path : error.path });
    }
  } finally {
    Atomics.store(workerData.writing, 0, 0);
    Atomics.notify(workerData.writing, 0);
  }
};
parentPort.on('message', file => {
  if (file === null) {
    Atomics.store(workerData.answered, 0, 1);
    Atomics.notify(workerData.answered, 0);
    parentPort.close();
    return;
  }
  if (failed) return;
  try {
    const documents = [];
    for (const object of file.objects) {
      for (const document of jsToAst(object, DUMP_SCHEMA, workerData.ast)) documents.push({ ...document, explicitStart: documents.length > 0 });
    }
    const text = (file.firstLine === undefined ? '' : file.firstLine + '\\n') + '---\\n' + file.header.split('\\n').map(line => '# ' + line).join('\\n') + '\\n' + present(documents, presenter);
    if (staging !== undefined) write(file.path, text);
    workerData.results.postMessage(text);
    Atomics.add(workerData.serialized, 0, file.objects.length);
    sinceCollection += file.objects.length;
    if (sinceCollection >= workerData.objectsPerCollection && typeof gc === 'function') {
      sinceCollection = 0;
      gc();
    }
  } catch (error) {
    failed = true;
    workerData.results.postMessage({ failure: String((error && error.message) || error), code: error && error.code, syscall: error && error.syscall, path: error && error.path });
  }
});
`;

/**
 * Objects serialized between two full collections of the worker's garbage,
 * where the process exposes them (`--expose-gc`). What the worker holds
 * alive is one file at a time, so a collection costs it little; without
 * them V8 lets its heap grow with what passed through it (5,000 tenants:
 * some 25 MiB more at the peak, the synth no faster).
 */
const WORKER_OBJECTS_PER_COLLECTION = 20_000;

/** A worker that has not answered after this long is taken for dead (one out of memory never answers). */
const WORKER_DEADLINE_MS = 5 * 60 * 1000;

/** One worker thread serializing files, and what it has been given. */
class YamlWorker {
  /** Objects posted so far. */
  private posted = 0;
  private files = 0;
  private readonly worker: Worker;
  private readonly results: MessagePort;
  private readonly answered = new Int32Array(new SharedArrayBuffer(4));
  /** Objects the worker has serialized so far. */
  private readonly serialized = new Int32Array(new SharedArrayBuffer(4));
  /** Whether the worker is writing a file (0), and whether it must write no more (1). */
  private readonly writing = new Int32Array(new SharedArrayBuffer(8));
  /** The texts received so far, in the order the files were posted. */
  private readonly texts: string[] = [];
  private failure?: WorkerFailure;

  /** Whether the worker writes each file into a staging folder too. */
  public readonly writes: boolean;

  /** With `staging`, the worker writes each file there too. */
  constructor(staging?: Staging) {
    this.writes = staging !== undefined;
    const { port1, port2 } = new MessageChannel();
    this.results = port1;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        jsYaml: require.resolve('js-yaml'), ast: AST_OPTIONS, presenter: PRESENTER_OPTIONS, results: port2, answered: this.answered, serialized: this.serialized,
        objectsPerCollection: WORKER_OBJECTS_PER_COLLECTION, staging: staging && { directory: staging.directory, previous: staging.previous }, writing: this.writing,
      },
      transferList: [port2],
    });
    // The main thread waits for the answer synchronously; the worker must never hold the process open.
    this.worker.unref();
  }

  /** Objects posted that the worker has not serialized yet. */
  public get backlog(): number {
    return this.posted - Atomics.load(this.serialized, 0);
  }

  /** Sends a file to serialize; returns its index among the texts. Takes the texts serialized so far. */
  public post(file: YamlFile): number {
    this.worker.postMessage(file);
    this.posted += file.objects.length;
    this.receive();
    return this.files++;
  }

  /** Blocks until the worker has serialized (and written) everything posted; returns the texts. */
  public collect(): string[] {
    try {
      this.worker.postMessage(null);
      if (Atomics.wait(this.answered, 0, 0, WORKER_DEADLINE_MS) === 'timed-out') {
        throw new Error(`the YAML worker gave no answer in ${WORKER_DEADLINE_MS / 1000} s`);
      }
      this.receive();
      if (this.failure !== undefined) throw failureError(this.failure);
      return this.texts;
    } finally {
      void this.stop();
    }
  }

  /** Takes every answer the worker has sent: a text, or its failure. */
  private receive(): void {
    for (let answer = receiveMessageOnPort(this.results); answer !== undefined; answer = receiveMessageOnPort(this.results)) {
      const message = answer.message as string | WorkerFailure;
      if (typeof message === 'string') this.texts.push(message);
      else this.failure = message;
    }
  }

  /**
   * Stops the worker. It writes no file from the moment this returns
   * (waiting for one it is writing), so that its staging folder can be
   * removed; settles once the thread has stopped.
   */
  public stop(): Promise<void> {
    Atomics.store(this.writing, 1, 1);
    // Told before it looks (see the worker's write): once it is not writing, it writes no more.
    while (Atomics.load(this.writing, 0) === 1) Atomics.wait(this.writing, 0, 1, WORKER_DEADLINE_MS);
    this.results.close();
    return this.worker.terminate().then(() => undefined);
  }
}

/** What the worker sends when it fails: its error's message, and a file system error's code, call and path. */
interface WorkerFailure {
  readonly failure: string;
  readonly code?: string;
  readonly syscall?: string;
  readonly path?: string;
}

/** The worker's failure as an error: a file system error as such, for `OutputError` to name its path and cause. */
function failureError({ failure, code, syscall, path }: WorkerFailure): Error {
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return Object.assign(new Error(failure), { code, syscall, path });
  return new Error(`the YAML worker failed: ${failure}`);
}
