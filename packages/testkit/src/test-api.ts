// A real Costgate API for one test file: its own PostgreSQL database (cloned from the migrated
// template), its own queue prefix on the real Redis, its own artifact folder, listening on an
// ephemeral port. Requests go over HTTP like any client's. How the API runs (in this process,
// or as a child process) is the caller's choice: see ApiStarter.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashPassword } from "@costgate/secrets";
import { createTestDatabase, seedDatabase, type Db, type Role, type TestDatabase } from "@costgate/db";

export const ADMIN_EMAIL = "admin@test.local";
export const ADMIN_PASSWORD = "admin-password-123";
export const PASSWORD = "user-password-123";

export interface GqlResult<T = Record<string, any>> {
  status: number;
  data: T | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

/** The variables a test API is started with (the API parses them like its real environment). */
export interface TestApiEnv {
  NODE_ENV: string;
  LOG_LEVEL: string;
  DATABASE_URL: string;
  REDIS_URL: string;
  QUEUE_PREFIX: string;
  ARTIFACT_DIR: string;
  COSTGATE_SESSION_SECRET: string;
  COSTGATE_SECRET_KEY: string;
  [name: string]: string;
}

/** A running API: where it listens, its database client, and how to stop it. */
export interface RunningApi {
  url: string;
  db: Db;
  close(): Promise<void>;
}

/** Starts an API with these variables; `now` is its clock (set by TestApi.setNow when supported). */
export type ApiStarter<S extends RunningApi> = (env: TestApiEnv, clock: { now: () => Date }) => Promise<S>;

export class TestApi<S extends RunningApi = RunningApi> {
  url = "";
  server!: S;
  db!: Db;
  env!: TestApiEnv;
  adminToken = "";
  private database!: TestDatabase;
  private artifactDir = "";
  /** The API's clock: null is real time; set it with setNow to test budget periods and usage dates. */
  private fixedNow: Date | null = null;

  static async start<S extends RunningApi>(
    starter: ApiStarter<S>,
    overrides: Record<string, string> = {},
  ): Promise<TestApi<S>> {
    const api = new TestApi<S>();
    api.database = await createTestDatabase();
    api.artifactDir = mkdtempSync(join(tmpdir(), "costgate-artifacts-"));
    api.env = {
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      DATABASE_URL: api.database.url,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      QUEUE_PREFIX: `costgate-test-${randomBytes(4).toString("hex")}`,
      ARTIFACT_DIR: api.artifactDir,
      COSTGATE_SESSION_SECRET: randomBytes(32).toString("hex"),
      COSTGATE_SECRET_KEY: randomBytes(32).toString("hex"),
      // One API process, and no answers served again: tests write rows behind the API's back and
      // read them through it at once. The tests of the cluster and of the response cache set these.
      API_PROCESSES: "1",
      RESPONSE_CACHE_SECONDS: "0",
      ...overrides,
    };
    api.server = await starter(api.env, { now: () => (api.fixedNow ? new Date(api.fixedNow) : new Date()) });
    api.db = api.server.db;
    api.url = api.server.url;
    await seedDatabase(api.db, { adminEmail: ADMIN_EMAIL, adminPassword: ADMIN_PASSWORD, demo: false });
    api.adminToken = await api.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    return api;
  }

  async stop(): Promise<void> {
    await this.server.close();
    await this.database.drop();
    rmSync(this.artifactDir, { recursive: true, force: true });
  }

  /** Sets the API's clock to a fixed instant (or back to real time with null); an API in this process only. */
  setNow(at: Date | string | null): void {
    this.fixedNow = at === null ? null : new Date(at);
  }

  get artifactRoot(): string {
    return this.artifactDir;
  }

  async gql<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string | null,
  ): Promise<GqlResult<T>> {
    const res = await fetch(`${this.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: GqlResult["errors"] };
    return { status: res.status, data: body.data ?? null, errors: body.errors };
  }

  /** Runs a query that must succeed and returns its data. */
  async ok<T = Record<string, any>>(
    query: string,
    variables: Record<string, unknown> = {},
    token: string | null = this.adminToken,
  ): Promise<T> {
    const r = await this.gql<T>(query, variables, token);
    if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
    return r.data!;
  }

  async login(email: string, password: string): Promise<string> {
    const r = await this.gql<{ login: { token: string } }>(
      `mutation($e:String!,$p:String!){ login(email:$e,password:$p){ token } }`,
      { e: email, p: password },
    );
    if (!r.data) throw new Error(`login failed: ${JSON.stringify(r.errors)}`);
    return r.data.login.token;
  }

  async createTeam(slug = `team-${randomBytes(3).toString("hex")}`): Promise<string> {
    const d = await this.ok<{ createTeam: { id: string } }>(
      `mutation($i:CreateTeamInput!){ createTeam(input:$i){ id } }`,
      {
        i: { name: slug, slug },
      },
    );
    return d.createTeam.id;
  }

  /** A user of the role in the team, created directly in the database, and their session token. */
  async userToken(role: Role, teamId: string | null): Promise<{ id: string; token: string; email: string }> {
    const email = `${role.toLowerCase()}-${randomBytes(4).toString("hex")}@test.local`;
    const user = await this.db.user.create({
      data: { email, name: role, role, teamId, passwordHash: await hashPassword(PASSWORD) },
    });
    return { id: user.id, token: await this.login(email, PASSWORD), email };
  }
}
