/**
 * Iterates `source` one element ahead: the next element is requested as soon as the current one
 * is handed out, so its I/O (a database page) runs while the caller works on the current one
 * (renders and delivers it). At most two elements are alive at once.
 *
 * When the caller stops early (break, throw), the request in flight is awaited and the source
 * is closed, so no query is left running behind the caller's back.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let pending = it.next();
  // A failure while the caller is busy is rethrown at the next step, not reported as unhandled.
  pending.catch(() => undefined);
  let finished = false;
  try {
    for (;;) {
      const step = await pending;
      if (step.done) {
        finished = true;
        return;
      }
      pending = it.next();
      pending.catch(() => undefined);
      yield step.value;
    }
  } finally {
    if (!finished) {
      const last = await pending.catch(() => ({ done: true }) as IteratorResult<T>);
      if (!last.done) await it.return?.();
    }
  }
}
