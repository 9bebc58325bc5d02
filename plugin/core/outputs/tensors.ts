/**
 * Tensors as results: a tfjs `Tensor` (from @tensorflow/tfjs, tfjs-node or
 * tfjs-core: one class) and an onnxruntime `Tensor` (onnxruntime-node/-web:
 * onnxruntime-common's class). Stored as dtype, shape and data: the data is
 * the tensor's typed array, stored as raw bytes (a part of its own from
 * 64 KiB), or its strings. The downstream step gets a Tensor of the
 * workspace's library with the same dtype, shape and values.
 */
import type { CodecDecodeContext, CodecEncodeContext, LibraryCodec, LibrarySummary } from './library-codec';
import { isFunction } from './library-codec';
import { installedPeer, PeerMissing, requireEsmBuild, requirePeer } from './peers';
import { UnstorableValue } from './unstorable';
import { CorruptValue } from './wire';

const TFJS_CORE = '@tensorflow/tfjs-core';
/** The packages that bring tfjs-core and register a backend, the fastest first. */
const TFJS_PACKAGES = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-cpu'];

interface TfTensor {
  readonly dtype: string;
  readonly shape: number[];
  readonly isDisposed: boolean;
  dataSync(): ArrayLike<unknown>;
}

interface TfCore {
  readonly Tensor: abstract new (...args: never[]) => unknown;
  readonly Variable: abstract new (...args: never[]) => unknown;
  engine(): { backendNames(): string[] };
  tensor(values: unknown, shape: number[], dtype: string): unknown;
  complex(real: unknown, imag: unknown): { reshape(shape: number[]): unknown };
}

function loadTfjs(fromDir: string, what: string): TfCore {
  return requirePeer<TfCore>(TFJS_CORE, what, fromDir, TFJS_PACKAGES);
}

/** tfjs-core alone makes no tensor: a backend must be registered. The workspace's own is loaded when none is. */
function withBackend(core: TfCore, fromDir: string): TfCore {
  if (core.engine().backendNames().length > 0) return core;
  const pkg = installedPeer(TFJS_PACKAGES, fromDir);
  if (!pkg)
    throw new PeerMissing(
      '@tensorflow/tfjs',
      'a tfjs Tensor',
      `no tfjs backend is registered, and none of ${TFJS_PACKAGES.join(', ')} is installed in ${fromDir}`,
    );
  requirePeer(pkg, 'a tfjs Tensor', fromDir);
  return core;
}

const looksLikeTfTensor = (v: object): boolean => {
  const t = v as Partial<Record<'dataSync' | 'shape' | 'dtype' | 'dataId' | 'rankType' | 'isDisposedInternal', unknown>>;
  return (
    isFunction(t.dataSync) &&
    Array.isArray(t.shape) &&
    typeof t.dtype === 'string' &&
    'dataId' in v &&
    'rankType' in v &&
    typeof t.isDisposedInternal === 'boolean'
  );
};

function shapeOf(shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && (n as number) >= 0)) throw new CorruptValue('a stored tensor has a malformed shape');
  return shape as number[];
}

export const tfjsCodec: LibraryCodec = {
  id: 'tfjs.Tensor',
  pkg: '@tensorflow/tfjs',
  what: 'a tfjs Tensor',
  matches: looksLikeTfTensor,
  encode(v: object, cx: CodecEncodeContext): readonly unknown[] {
    const core = loadTfjs(cx.fromDir, this.what);
    if (!(v instanceof core.Tensor)) throw new UnstorableValue('an object shaped like a tfjs Tensor that tfjs-core does not take for one');
    if (v instanceof core.Variable) {
      throw new UnstorableValue('a tfjs Variable (its name is registered in the tfjs engine of the process that made it); return tf.clone(variable), a Tensor');
    }
    const t = v as unknown as TfTensor;
    if (t.isDisposed) throw new UnstorableValue('a disposed tfjs Tensor (its data is gone); return it before disposing it');
    // complex64: the real and imaginary parts interleaved, as dataSync gives them.
    return [t.dtype, [...t.shape], cx.walk(t.dataSync())];
  },
  decode([dtype, shape, data]: readonly unknown[], cx: CodecDecodeContext): unknown {
    const core = withBackend(loadTfjs(cx.fromDir, this.what), cx.fromDir);
    const dims = shapeOf(shape);
    if (typeof dtype !== 'string' || !(ArrayBuffer.isView(data) || Array.isArray(data))) throw new CorruptValue('a stored tfjs tensor is malformed');
    if (dtype !== 'complex64') return core.tensor(data, dims, dtype);
    const all = data as Float32Array;
    const real = all.filter((_, i) => i % 2 === 0);
    const imag = all.filter((_, i) => i % 2 === 1);
    return core.complex(real, imag).reshape(dims);
  },
  summary: (v: object): LibrarySummary => ({ header: `tfjs Tensor: ${(v as TfTensor).dtype} [${(v as TfTensor).shape.join(', ')}]` }),
};

const ORT_COMMON = 'onnxruntime-common';

interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly location: string;
  readonly data: unknown;
}

interface OrtModule {
  readonly Tensor: new (type: string, data: unknown, dims: readonly number[]) => unknown;
}

const ORT_VIA = ['onnxruntime-node', 'onnxruntime-web'];
const loadOrt = (fromDir: string, what: string): OrtModule => requirePeer<OrtModule>(ORT_COMMON, what, fromDir, ORT_VIA);

/** onnxruntime-common ships a CommonJS and an ES module build, each with its own Tensor class: 'esm' marks the second. */
function ortBuild(v: object, fromDir: string, what: string): { readonly ort: OrtModule; readonly build: readonly string[] } | undefined {
  const cjs = loadOrt(fromDir, what);
  if (v instanceof cjs.Tensor) return { ort: cjs, build: [] };
  const esm = requireEsmBuild<OrtModule>(ORT_COMMON, fromDir, ORT_VIA);
  return esm && v instanceof esm.Tensor ? { ort: esm, build: ['esm'] } : undefined;
}

const looksLikeOrtTensor = (v: object): boolean => {
  const t = v as Partial<Record<'type' | 'dims' | 'dataLocation' | 'getData' | 'reshape', unknown>>;
  return typeof t.type === 'string' && Array.isArray(t.dims) && typeof t.dataLocation === 'string' && isFunction(t.getData) && isFunction(t.reshape);
};

export const ortCodec: LibraryCodec = {
  id: 'onnxruntime.Tensor',
  pkg: 'onnxruntime-node',
  what: 'an onnxruntime Tensor',
  matches: looksLikeOrtTensor,
  encode(v: object, cx: CodecEncodeContext): readonly unknown[] {
    const own = ortBuild(v, cx.fromDir, this.what);
    if (!own) throw new UnstorableValue(`an object shaped like an onnxruntime Tensor that is not one of the ${ORT_COMMON} the workspace resolves`);
    const t = v as unknown as OrtTensor;
    if (t.location !== 'cpu' && t.location !== 'cpu-pinned') {
      throw new UnstorableValue(
        `an onnxruntime Tensor whose data is on the ${t.location} (not in memory); return new Tensor(t.type, await t.getData(), t.dims)`,
      );
    }
    return [t.type, [...t.dims], cx.walk(t.data), ...own.build];
  },
  decode([type, dims, data, build]: readonly unknown[], cx: CodecDecodeContext): unknown {
    const esm = build === 'esm' ? requireEsmBuild<OrtModule>(ORT_COMMON, cx.fromDir, ORT_VIA) : undefined;
    const ort = esm ?? loadOrt(cx.fromDir, this.what);
    if (typeof type !== 'string') throw new CorruptValue('a stored onnxruntime tensor is malformed');
    return new ort.Tensor(type, data, shapeOf(dims));
  },
  summary: (v: object): LibrarySummary => ({ header: `onnxruntime Tensor: ${(v as OrtTensor).type} [${(v as OrtTensor).dims.join(', ')}]` }),
};
