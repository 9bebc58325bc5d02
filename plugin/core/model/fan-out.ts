/**
 * A fan-out step (`each`) becomes one runnable step per item, each an Nx
 * target of its own, cached, restored and shared on its own, and a group
 * target of the declared name over all of them.
 *
 * An item's target is `<step>.<item key>`: stable (it depends on the item
 * alone, never on its position), never one of Nx's aliases (it is longer than
 * one character), and it never meets a declared step's name (those are
 * identifiers, without dots). A key that is not safe in a target name (a path
 * with slashes, a long or odd string) is made readable and suffixed with a
 * digest of the key, so two keys never share a target.
 */
import type { Json } from '../../api/json';
import type { Diagnostic } from '../diagnostics';
import { DiagnosticCodes } from '../diagnostics';
import { hashBytes } from '../util/xxhash';
import { joinPosix } from '../util/paths';
import * as path from 'node:path';
import type { EachDeclaration } from './declarations';
import type { FanOutModel, PathLocation, StepItem, StepModel } from './project-model';

/** Lists the files of a folder a fan-out runs over (relative POSIX paths), or says why it cannot. */
export type ListFiles = (
  absDir: string,
  selection: { readonly include: readonly string[]; readonly exclude: readonly string[] },
) => { readonly ok: true; readonly files: readonly string[] } | { readonly ok: false; readonly message: string };

const SAFE_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,47}$/;

/** An item's identity as text: a string as it is, other values as (key-sorted) JSON. */
export function itemKeyOf(value: Json): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  return sortedJson(value);
}

function sortedJson(v: Json): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson((v as Record<string, Json>)[k] as Json)}`).join(',')}}`;
}

export function itemTarget(step: string, key: string): string {
  return `${step}.${itemSuffix(key)}`;
}

/** What an item's key adds to its step's name in its target's. */
export function itemSuffix(key: string): string {
  if (SAFE_KEY.test(key) && !key.endsWith('.')) return key;
  const readable = key
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .slice(0, 40)
    .replace(/^[._-]+|[._-]+$/g, '');
  return `${readable}${readable ? '_' : ''}${hashBytes(key).slice(0, 8)}`;
}

/** The fan-out step of an item's target (the target with its item's suffix removed). */
export function fanOutStepOf(target: string, key: string): string | undefined {
  const suffix = `.${itemSuffix(key)}`;
  return target.endsWith(suffix) && target.length > suffix.length ? target.slice(0, -suffix.length) : undefined;
}

interface Item {
  readonly key: string;
  readonly source: StepItem['source'];
}

export interface FanOutInput {
  readonly workspaceRoot: string;
  /** The declared step, resolved and valid. */
  readonly base: StepModel;
  readonly each: EachDeclaration;
  /** Where the folder of `each: { x: dir(...) }` is, resolved like an argument. */
  readonly dir?: PathLocation;
  readonly listFiles?: ListFiles;
}

export type FanOutResult =
  { readonly ok: true; readonly fanOut: FanOutModel; readonly steps: readonly StepModel[] } | { readonly ok: false; readonly error: Diagnostic };

function problem(input: FanOutInput, code: Diagnostic['code'], message: string, hint: string): FanOutResult {
  const { base, each } = input;
  return { ok: false, error: { code, severity: 'error', message, hint, location: { file: base.file, ...each.loc }, step: base.name } };
}

function items(input: FanOutInput): { ok: true; items: Item[] } | { ok: false; result: FanOutResult } {
  const { each } = input;
  if (each.source.kind === 'values') {
    return { ok: true, items: each.source.values.map((value) => ({ key: itemKeyOf(value), source: { kind: 'value', value } })) };
  }
  const dir = input.dir;
  if (!dir)
    return { ok: false, result: problem(input, DiagnosticCodes.fanOutDir, `The folder of \`each.${each.input}\` could not be resolved.`, 'Check its path.') };
  const abs = dir.scope === 'workspace' ? path.join(input.workspaceRoot, dir.path) : dir.path;
  const shown = dir.scope === 'workspace' ? dir.path : abs;
  const listed = input.listFiles ? input.listFiles(abs, each.source) : { ok: false as const, message: 'folders are not listed here' };
  if (!listed.ok) {
    return {
      ok: false,
      result: problem(
        input,
        DiagnosticCodes.fanOutDir,
        `The folder of \`each.${each.input}\` cannot be listed: ${listed.message} (${shown}).`,
        'A fan-out over a folder is listed when the project graph is built: the folder must exist then. Create it (or fix the path); a folder another step writes cannot be fanned out over.',
      ),
    };
  }
  return {
    ok: true,
    items: listed.files.map((rel) => ({
      key: rel,
      source: {
        kind: 'file',
        location: dir.scope === 'workspace' ? { scope: 'workspace', path: joinPosix(dir.path, rel) } : { scope: 'external', path: path.join(dir.path, rel) },
      },
    })),
  };
}

/** The runnable steps of a fan-out, one per item, and its group. */
export function expandFanOut(input: FanOutInput): FanOutResult {
  const listed = items(input);
  if (!listed.ok) return listed.result;
  const { base, each } = input;
  const seen = new Map<string, number>();
  const targets = new Map<string, string>();
  const steps: StepModel[] = [];
  for (const [i, item] of listed.items.entries()) {
    const target = itemTarget(base.name, item.key);
    const before = seen.get(item.key) ?? (targets.has(target) ? seen.get(targets.get(target) as string) : undefined);
    if (before !== undefined) {
      const shown = each.source.kind === 'values' ? `items ${before + 1} and ${i + 1}` : 'two files';
      return problem(
        input,
        DiagnosticCodes.badFanOut,
        `${shown} of \`each.${each.input}\` have the same key ${JSON.stringify(item.key)}: they would be one target.`,
        'Remove the duplicate (1 and "1", or 0 and -0, are the same item).',
      );
    }
    seen.set(item.key, i);
    targets.set(target, item.key);
    steps.push({ ...base, name: target, item: { fanOut: { step: base.name, input: each.input }, ...item } });
  }
  return {
    ok: true,
    steps,
    fanOut: { name: base.name, file: base.file, input: each.input, items: steps.map((s) => ({ key: s.item?.key ?? '', target: s.name })) },
  };
}

/** A factory call's arguments as an item: they are part of the step's key. */
export function factoryItem(name: string, args: readonly Json[]): StepItem {
  return { key: `${name}(${args.map(sortedJson).join(', ')})`, source: { kind: 'value', value: { factory: name, args: [...args] } } };
}
