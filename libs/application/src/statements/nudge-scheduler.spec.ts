import { nudgeScheduler, type StatementQueue } from './statement.ports';

describe('nudgeScheduler', () => {
  it('queues the reconcile', async () => {
    const queued: string[] = [];
    const queue = { enqueueReconcile: async (uid: string) => void queued.push(uid) } as StatementQueue;
    await nudgeScheduler(queue, 'uid-1', 'org-1');
    expect(queued).toEqual(['uid-1']);
  });

  it('leaves the statement to the sweep when the queue is unreachable, without failing the request', async () => {
    const queue = {
      enqueueReconcile: () =>
        Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    } as unknown as StatementQueue;
    await expect(nudgeScheduler(queue, 'uid-1', 'org-1')).resolves.toBeUndefined();
  });
});
