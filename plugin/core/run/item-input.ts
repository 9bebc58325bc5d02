/** What a fan-out item's step function (and its custom key) receives under the item's name. */
import { absoluteArgPath } from '../fingerprint/evaluate';
import type { StepModel } from '../model/project-model';

/** [input name, value]: the item's value, or its file's absolute path; none for a step that is no fan-out item. */
export function itemInput(workspaceRoot: string, step: StepModel): [string, unknown] | undefined {
  const item = step.item;
  if (!item?.fanOut) return undefined;
  const value =
    item.source.kind === 'value' ? item.source.value : absoluteArgPath(workspaceRoot, { kind: 'file', location: item.source.location, declared: item.key });
  return [item.fanOut.input, value];
}
