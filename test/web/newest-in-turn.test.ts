import { describe, expect, it, vi } from 'vitest';
import { newestInTurn } from '../../web/src/dom';

/** A job whose runs finish only when the test says so. */
function controlledJob() {
  const started: string[] = [];
  const finishers: (() => void)[] = [];
  const job = (place: string) =>
    new Promise<void>((resolve) => {
      started.push(place);
      finishers.push(resolve);
    });
  return { started, job, finishNext: () => finishers.shift()!() };
}

describe('newestInTurn (reading positions are saved one at a time, newest wins)', () => {
  it('runs a call at once when nothing is on its way', async () => {
    // Prepare
    const { started, job, finishNext } = controlledJob();
    const save = newestInTurn(job);
    // Act
    const done = save('p1');
    // Assess
    expect(started).toEqual(['p1']);
    finishNext();
    await done;
  });

  it('holds later calls until the one on its way ends, then runs only the newest of them', async () => {
    // Prepare: the first save is held up (a token refresh, a slow link)
    const { started, job, finishNext } = controlledJob();
    const save = newestInTurn(job);
    void save('p1');
    // Act: three more places while it is on its way
    void save('p2');
    void save('p3');
    const last = save('p4');
    // Assess: nothing sent beside the first
    expect(started).toEqual(['p1']);
    // Act: the first ends
    finishNext();
    // Assess: the newest waiting call runs next, the superseded ones never
    await vi.waitFor(() => expect(started).toEqual(['p1', 'p4']));
    finishNext();
    await last;
    // Assess: after everything settled, a new call runs at once again
    void save('p5');
    expect(started).toEqual(['p1', 'p4', 'p5']);
    finishNext();
  });
});
