/**
 * A client pod's own source address for the real-engine tests. On one machine every connection to
 * a loopback address comes from 127.0.0.1 (the kernel's source for the loopback route), which a
 * server's rules for its own pod (PostgreSQL's `host ... 127.0.0.1/32 trust`) would take for a
 * local client. A forwarder listens on the client pod's address and connects to the server from
 * that same address, byte for byte (TLS stays end to end), so the server sees a client of another
 * pod. It runs as a process of its own: the tests' clients are spawned synchronously, which would
 * block a forwarder in the test's own event loop.
 */
import { ChildProcess, spawn } from 'node:child_process';

const SCRIPT = `
const net = require('net');
const [listenAddress, listenPort, targetAddress, targetPort] = process.argv.slice(1);
const server = net.createServer(client => {
  const upstream = net.connect({ host: targetAddress, port: Number(targetPort), localAddress: listenAddress });
  client.pipe(upstream).pipe(client);
  const close = () => { client.destroy(); upstream.destroy(); };
  client.on('error', close);
  upstream.on('error', close);
});
server.listen(Number(listenPort), listenAddress, () => console.log('listening'));
process.on('SIGTERM', () => process.exit(0));
`;

/** A running forwarder. */
export interface TcpForwarder {
  /** Stops it. */
  stop(): Promise<void>;
}

/** Forwards `listenAddress:port` to `targetAddress:targetPort`, connecting from `listenAddress`. */
export async function forwardFrom(listenAddress: string, port: number, targetAddress: string, targetPort: number): Promise<TcpForwarder> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SCRIPT, listenAddress, String(port), targetAddress, String(targetPort)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the forwarder did not start: ${output}`)), 20_000);
    child.stdout!.on('data', d => {
      output += d;
      if (output.includes('listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', d => { output += d; });
    child.once('exit', code => {
      clearTimeout(timer);
      reject(new Error(`the forwarder exited (${code}): ${output}`));
    });
  });
  return {
    stop: () => new Promise<void>(resolve => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
