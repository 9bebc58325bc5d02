// picomatch ships no types; this declares the one call nx-steps makes (dir-selection.ts).
declare module 'picomatch' {
  interface PicomatchOptions {
    /** Let wildcards match names that start with a dot. */
    readonly dot?: boolean;
    readonly nocase?: boolean;
  }
  function picomatch(glob: string | readonly string[], options?: PicomatchOptions): (path: string) => boolean;
  export = picomatch;
}
