// The public surface against protocol/openrpc.json: every group and method of the document has
// its helper, named by the camelCase rule, with its params; a paged method has a walk over its
// pages, a method documented to report progress takes onProgress, and the engine's own helpers
// (ENGINE_HELPERS) exist; the generated TypeScript declarations say the same as the generated
// JS; and, where a TypeScript compiler is installed, they compile for the README's uses and
// refuse misspelled options.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

import { ENGINE_HELPERS, GROUPS, PARAM_NAMES } from '../index.js';
import { STREAMS } from '../src/streams.js';
import { PACKAGE_DIR, REPO_ROOT } from '../test-support/helpers.mjs';

const DOC = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'protocol', 'openrpc.json'), 'utf8'));
const DTS = fs.readFileSync(path.join(PACKAGE_DIR, 'api.d.ts'), 'utf8');

const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const groupOf = (method) => method.tags[0].$ref.split('/').pop();
const upper = (name) => name[0].toUpperCase() + name.slice(1);
const isEngineHelper = (method) => (ENGINE_HELPERS[groupOf(method)] ?? []).includes(method.name.split('.')[1]);
/** The methods with generated helpers: all but the protocol group's and the engine's own. */
const METHODS = DOC.methods.filter((m) => groupOf(m) !== 'protocol' && !isEngineHelper(m));
/** Methods whose description says they report progress. */
const reportsProgress = (method) => method.description.includes('_meta.progressToken');

/** The field holding the items when `method` answers one page of a list (it takes a `page`). */
function pagedField(method) {
  if (!method.params.some((p) => p.name === 'page')) return undefined;
  const schema = DOC.components.schemas[method['x-result-type']] ?? {};
  const arrays = Object.entries(schema.properties ?? {}).filter(([, f]) => f.type === 'array');
  const paged = ['count', 'page', 'per_page'].every((f) => (schema.required ?? []).includes(f)) && arrays.length === 1;
  return paged ? arrays[0][0] : undefined;
}
/** The TypeScript type of a param's schema: an enumeration, a scalar, or an array of either. */
function tsType(schema) {
  if (schema.enum) return schema.enum.map((v) => `'${v}'`).join(' | ');
  if (schema.type === 'array') {
    const item = tsType(schema.items);
    return `${item.includes(' | ') ? `(${item})` : item}[]`;
  }
  return { string: 'string', integer: 'number', number: 'number', boolean: 'boolean' }[schema.type] ?? 'unknown';
}
const iteratorName = (short) => (short === 'list' ? 'iterate' : `iterate${upper(camel(short))}`);

/** The members of `export interface <name> [extends X] { ... }` in api.d.ts: name → the text after it. */
function members(name) {
  const match = DTS.match(new RegExp(`^export interface ${name}(?: extends \\w+)? \\{\\n([\\s\\S]*?)^\\}`, 'm'));
  assert.ok(match, `api.d.ts declares ${name}`);
  const found = new Map();
  for (const line of match[1].split('\n')) {
    const m = line.match(/^ {2}(?:readonly )?(\w+)(\?)?(?:\(|: )(.*)$/);
    if (m && !found.has(m[1])) found.set(m[1], { optional: m[2] === '?', rest: m[3] });
  }
  return found;
}

describe('the surface follows the OpenRPC document', () => {
  test('every group, and only those, is a client group', () => {
    assert.deepEqual(Object.keys(GROUPS).sort(), [...new Set(METHODS.map(groupOf))].sort());
    assert.deepEqual([...members('Groups').keys()].sort(), Object.keys(GROUPS).sort());
  });

  test('every method has its helper, taking params exactly when the method has some', () => {
    for (const method of METHODS) {
      const [group, short] = method.name.split('.');
      const progress = reportsProgress(method) ? { progress: true } : {};
      assert.deepEqual(GROUPS[group][camel(short)], { method: method.name, params: method.params.length > 0, ...progress }, method.name);
    }
    const helpers = Object.values(GROUPS).flatMap((g) => Object.values(g).filter((h) => !h.pages).map((h) => h.method));
    assert.deepEqual(helpers.sort(), METHODS.map((m) => m.name).sort(), 'no helper the document lacks');
    assert.ok(METHODS.some(reportsProgress), 'team.apply reports progress');
  });

  test('a paged method has a walk over its pages, and nothing else has one', () => {
    const paged = METHODS.filter(pagedField);
    assert.deepEqual(paged.map((m) => m.name), ['activity.list']);
    for (const method of paged) {
      const [group, short] = method.name.split('.');
      assert.deepEqual(GROUPS[group][iteratorName(short)], { method: method.name, params: true, pages: pagedField(method) });
    }
    const walks = Object.values(GROUPS).flatMap((g) => Object.values(g).filter((h) => h.pages).map((h) => h.method));
    assert.deepEqual(walks.sort(), paged.map((m) => m.name).sort());
  });

  test('the engine has each helper it is said to write by hand', () => {
    assert.ok(Object.keys(ENGINE_HELPERS).length > 0);
    for (const [group, names] of Object.entries(ENGINE_HELPERS)) {
      assert.ok(GROUPS[group], group);
      for (const name of names) {
        assert.equal(typeof STREAMS[group][name], 'function', `${group}.${name}`);
        assert.ok(!(name in GROUPS[group]), `${group}.${name} is not generated as well`);
      }
    }
  });

  test('every param is sent under its wire name', () => {
    const wire = new Map();
    for (const method of METHODS) for (const p of method.params) wire.set(camel(p.name), p.name);
    for (const [option, name] of wire) {
      assert.equal(PARAM_NAMES[option] ?? option, name, `${option} → ${name}`);
    }
    for (const option of Object.keys(PARAM_NAMES)) assert.ok(wire.has(option), `${option} is a documented param`);
  });

  test('the declarations name each group\'s methods and each method\'s options, required as documented', () => {
    for (const [group, helpers] of Object.entries(GROUPS)) {
      assert.deepEqual([...members(`${upper(group)}Methods`).keys()].sort(), Object.keys(helpers).sort(), group);
    }
    for (const method of METHODS.filter((m) => m.params.length > 0)) {
      const [group, short] = method.name.split('.');
      const declared = members(`${upper(group)}${upper(camel(short))}Params`);
      assert.deepEqual([...declared.keys()].sort(), method.params.map((p) => camel(p.name)).sort(), method.name);
      for (const p of method.params) {
        const { optional, rest } = declared.get(camel(p.name));
        assert.equal(optional, !p.required, `${method.name} ${p.name}: optional`);
        if (p.schema.type === 'array' && p.schema.items?.type === 'object') {
          assert.equal(rest, '{', `${method.name} ${p.name}: an array of objects, declared field by field`);
        } else if (p.schema.type !== 'object') {
          assert.equal(rest, `${tsType(p.schema)};`, `${method.name} ${p.name}: type`);
        }
      }
    }
  });
});

/** `tsc` on PATH (Debian's node-typescript), or undefined. */
function typescriptCompiler() {
  const found = spawnSync('tsc', ['--version'], { encoding: 'utf8' });
  return found.status === 0 ? 'tsc' : undefined;
}

describe('the declarations compile', { skip: typescriptCompiler() ? false : 'SKIPPED: no TypeScript compiler (`apt-get install node-typescript` gives one)' }, () => {
  /** A project using the package as `tiledesk-rpc`; returns tsc's output for `file`. */
  function compile(file) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiledesk-rpc-types-'));
    try {
      const sources = path.join(PACKAGE_DIR, 'test-support', 'types');
      fs.mkdirSync(path.join(dir, 'node_modules', '@types', 'node'), { recursive: true });
      fs.copyFileSync(path.join(sources, 'node-stub.d.ts'), path.join(dir, 'node_modules', '@types', 'node', 'index.d.ts'));
      fs.writeFileSync(path.join(dir, 'node_modules', '@types', 'node', 'package.json'), '{"name": "@types/node", "types": "index.d.ts"}');
      fs.symlinkSync(PACKAGE_DIR, path.join(dir, 'node_modules', 'tiledesk-rpc'));
      fs.copyFileSync(path.join(sources, file), path.join(dir, file));
      fs.writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}');
      const options = { strict: true, noEmit: true, target: 'es2022', module: 'node16', moduleResolution: 'node16', lib: ['es2022'], types: ['node'], preserveSymlinks: true };
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: [file] }));
      const run = spawnSync('tsc', ['-p', dir], { encoding: 'utf8' });
      return { status: run.status, output: run.stdout + run.stderr };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test('the README\'s uses compile', () => {
    const { status, output } = compile('uses.ts');
    assert.equal(status, 0, output);
  });

  test('a misspelled option, a role never assigned, a missing id and a wrong status do not', () => {
    const { status, output } = compile('misuses.ts');
    assert.notEqual(status, 0);
    const source = fs.readFileSync(path.join(PACKAGE_DIR, 'test-support', 'types', 'misuses.ts'), 'utf8').split('\n');
    const wanted = source.flatMap((line, i) => (line.includes('// error:') ? [i + 1] : []));
    const got = [...new Set([...output.matchAll(/misuses\.ts\((\d+),\d+\): error/g)].map((m) => Number(m[1])))];
    assert.deepEqual(got, wanted, output);
  });
});
