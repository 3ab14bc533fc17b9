import { isUniqueViolation } from '../store/database.ts';
import { Conflict } from '../kernel/errors.ts';

/**
 * Runs an insert and turns a unique-index violation into `Conflict(message)`: the index, not a
 * read before the write, decides which of two racing creations wins, on SQLite and PostgreSQL.
 */
export async function insertUnique<T>(insert: Promise<T>, message: string): Promise<T> {
  try {
    return await insert;
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict(message);
    throw err;
  }
}
