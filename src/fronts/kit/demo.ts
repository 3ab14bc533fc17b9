import { DomainError } from '../../kernel/errors.ts';

/** Runs `create` unless the thing is already there, so a second `serve --demo` start changes nothing. */
export async function createUnlessExists(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!(err instanceof DomainError && err.kind === 'Conflict')) throw err;
  }
}
