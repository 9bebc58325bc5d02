/** `nx g nx-steps:sync` has no options; Nx's `nx sync` calls it with none. */
export type SyncGeneratorSchema = Record<string, never>;
