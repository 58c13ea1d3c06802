import { spawnSync } from 'child_process';
import { PodNetwork } from './pod-network';

describe('PodNetwork', () => {
  test('names resolve to each pod\'s own loopback address, inside the wrapped processes only', () => {
    const net = new PodNetwork();
    try {
      const a = net.addPod('db-0.db.ns.svc.cluster.local');
      const b = net.addPod('db-1.db.ns.svc.cluster.local');
      expect(a.address).not.toBe(b.address);
      expect(a.address).toMatch(/^127\./);
      expect(a.address).not.toBe('127.0.0.1');
      const found = net.run(['getent', 'hosts', 'db-1.db.ns.svc.cluster.local']);
      expect(found.status).toBe(0);
      expect(found.stdout.split(/\s+/)[0]).toBe(b.address);
      // the machine's own resolver does not know the name
      const outside = spawnSync('getent', ['hosts', 'db-1.db.ns.svc.cluster.local']);
      expect(outside.status).not.toBe(0);
    } finally {
      net.dispose();
    }
  });

  test('a name published later is seen by a process that is already running', async () => {
    const net = new PodNetwork();
    try {
      const pod = net.addPod();
      expect(net.run(['getent', 'hosts', 'seed-0.ring']).status).not.toBe(0);
      const waiting = net.spawn(['sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do getent hosts seed-0.ring && exit 0; sleep 0.3; done; exit 1']);
      setTimeout(() => net.alias(pod, 'seed-0.ring'), 600);
      const code = await new Promise<number | null>(resolve => waiting.on('exit', resolve));
      expect(code).toBe(0);
    } finally {
      net.dispose();
    }
  });
});
