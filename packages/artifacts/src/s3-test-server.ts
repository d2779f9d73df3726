import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
// @ts-expect-error -- s3rver ships no type declarations; the part used is typed below.
import S3rverClass from "s3rver";

/** The part of s3rver (a real S3-protocol server over HTTP, files on disk; no types of its own) used here. */
interface S3rver {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
const S3rver = S3rverClass as new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}) => S3rver;

export interface TestS3Server {
  endpoint: string;
  /** The server's static credentials (s3rver accepts these only). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;
}

/** A real S3-protocol server (s3rver) on a free port, keeping its buckets in a temporary folder. */
export async function startTestS3Server(buckets: string[]): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), "costgate-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
