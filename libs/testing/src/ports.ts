import { once } from 'node:events';
import net from 'node:net';

/** A TCP port free on 127.0.0.1 at the time of asking, for a process a test starts itself. */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
