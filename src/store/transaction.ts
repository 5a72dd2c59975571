import { AsyncLocalStorage } from "node:async_hooks";

/** How a backend starts, commits and undoes a transaction on its one connection. */
export interface TransactionHooks {
  begin(): void;
  commit(): void;
  rollback(): void;
}

/** Something that can run several of its calls as one transaction. */
export interface Transactional {
  /** Runs `fn`: every write it makes through this store is committed together, or none is when it throws. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * Adds `transaction(fn)` to a store whose backend has one connection (SQLite, process memory). Calls
 * made inside `fn` (found by async context) run in the transaction; calls from elsewhere wait until it
 * ends, so another request's write is never committed or rolled back with it. Transactions run one
 * at a time, in the order they were asked for.
 */
export function withTransactions<S extends object>(raw: S, hooks: TransactionHooks): S & Transactional {
  const context = new AsyncLocalStorage<{ active: boolean }>();
  let open: Promise<void> | null = null;
  // work started inside a transaction that outlives it (a notification sent later) is outside again
  const inside = () => context.getStore()?.active === true;
  const turn = async () => {
    while (open) await open;
  };

  const gated: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== "function") {
      gated[key] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => unknown;
    gated[key] = async (...args: unknown[]) => {
      if (!inside() && open) await turn();
      return method.apply(raw, args);
    };
  }
  gated.transaction = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (inside()) return fn();
    await turn();
    let release!: () => void;
    open = new Promise((r) => (release = r));
    const tx = { active: true };
    try {
      hooks.begin();
      const result = await context.run(tx, fn);
      hooks.commit();
      return result;
    } catch (err) {
      hooks.rollback();
      throw err;
    } finally {
      tx.active = false;
      open = null;
      release();
    }
  };
  return gated as S & Transactional;
}
