/** Values that can be written in a declaration and passed on a command line. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
