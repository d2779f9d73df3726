// A TCP proxy in front of PostgreSQL that counts the statements clients send, read from the
// wire protocol (frontend messages): each simple Query ('Q') and each extended-protocol Execute
// ('E') is one statement the server runs. BEGIN/COMMIT/ROLLBACK are counted apart.
// Used by the page benchmark to say how many SQL statements a page costs the API, without
// pg_stat_statements (not preloaded on this server) and without touching the API's code.
import { createServer, connect, type Server, type Socket } from "node:net";

export interface StatementCounts {
  statements: number;
  transactionControl: number;
}

export class PgCountingProxy {
  readonly counts: StatementCounts = { statements: 0, transactionControl: 0 };
  private server: Server;
  private sockets = new Set<Socket>();
  port = 0;

  constructor(private upstream: { host: string; port: number }) {
    this.server = createServer((client) => this.handle(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  snapshot(): StatementCounts {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(client: Socket): void {
    const server = connect(this.upstream.port, this.upstream.host);
    this.sockets.add(client).add(server);
    const forget = () => {
      this.sockets.delete(client);
      this.sockets.delete(server);
      client.destroy();
      server.destroy();
    };
    client.on("error", forget).on("close", forget);
    server.on("error", forget).on("close", forget);
    server.pipe(client);

    let buffer: Buffer = Buffer.alloc(0);
    let startup = true;
    // Extended protocol: Parse names a statement's text, Bind picks a statement, Execute runs it.
    const prepared = new Map<string, string>();
    let bound = "";
    const cstring = (from: number): [string, number] => {
      const end = buffer.indexOf(0, from);
      return [buffer.subarray(from, end).toString("utf8"), end + 1];
    };
    const count = (sql: string) => {
      if (/^\s*(BEGIN|COMMIT|ROLLBACK|START TRANSACTION|SAVEPOINT|RELEASE)\b/i.test(sql))
        this.counts.transactionControl++;
      else this.counts.statements++;
    };
    client.on("data", (chunk: Buffer) => {
      server.write(chunk);
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      for (;;) {
        if (startup) {
          // Untyped messages first: SSLRequest / GSSENCRequest / StartupMessage (int32 length, int32 code).
          if (buffer.length < 8) break;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) break;
          const code = buffer.readInt32BE(4);
          buffer = buffer.subarray(length);
          if (code !== 80877103 && code !== 80877104) startup = false; // a real StartupMessage ends the phase
          continue;
        }
        if (buffer.length < 5) break;
        const type = String.fromCharCode(buffer[0]!);
        const length = buffer.readInt32BE(1);
        if (buffer.length < 1 + length) break;
        if (type === "Q") {
          count(cstring(5)[0]);
        } else if (type === "P") {
          const [name, next] = cstring(5);
          prepared.set(name, cstring(next)[0]);
        } else if (type === "B") {
          const [, next] = cstring(5);
          bound = prepared.get(cstring(next)[0]) ?? "";
        } else if (type === "E") {
          count(bound);
        }
        buffer = buffer.subarray(1 + length);
      }
    });
  }
}
