/** Trees for generator unit tests: Nx's empty workspace, without a formatter. */
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { expect } from 'vitest';
import { GeneratorError } from '../shared/failure';

/**
 * An empty workspace as `create-nx-workspace` leaves it, minus its formatter
 * config: formatFiles then leaves files as the generators wrote them, which
 * is what these tests read (no formatter is installed here).
 */
export function emptyWorkspace(files: Readonly<Record<string, string>> = {}): Tree {
  const tree = createTreeWithEmptyWorkspace();
  tree.delete('.oxfmtrc.json');
  for (const [file, text] of Object.entries(files)) tree.write(file, text);
  return tree;
}

/** Every file the Tree would write, with its content: compare two to prove a generator changed nothing. */
export function pendingWrites(tree: Tree): Record<string, string | null> {
  return Object.fromEntries(tree.listChanges().map((c) => [c.path, c.content === null ? null : c.content.toString('utf8')]));
}

/** Runs a generator that must fail with a GeneratorError, and proves it left the Tree as it was. */
export async function expectFailure(tree: Tree, run: () => Promise<unknown>): Promise<GeneratorError> {
  const before = pendingWrites(tree);
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GeneratorError);
  expect(pendingWrites(tree)).toEqual(before);
  return error as GeneratorError;
}
