import { createHash, randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, TestApi } from "../../../../test/harness.ts";

type Created = {
  createApiKey: {
    secret: string;
    apiKey: {
      id: string;
      name: string;
      role: string;
      prefix: string;
      team: { id: string } | null;
      lastUsedAt: string | null;
      revokedAt: string | null;
    };
  };
};

const uid = () => randomBytes(4).toString("hex");
const KEY_RE = /^cg_([a-z0-9]{12})_[A-Za-z0-9_-]{43}$/;

const LOGIN = `mutation($e:String!,$p:String!){ login(email:$e,password:$p){ token expiresAt user { id email role } } }`;
const ME = `{ me { id email role team { id } } }`;
const CREATE_USER = `mutation($i:CreateUserInput!){ createUser(input:$i){ id email name role team { id } } }`;
const CREATE_TEAM = `mutation($i:CreateTeamInput!){ createTeam(input:$i){ id name slug } }`;
const CREATE_KEY = `mutation($i:CreateApiKeyInput!){ createApiKey(input:$i){ secret apiKey { id name role prefix team { id } createdAt lastUsedAt revokedAt } } }`;
const REVOKE_KEY = `mutation($id:ID!){ revokeApiKey(id:$id){ id revokedAt } }`;

const code = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.[0]?.extensions?.code;
const message = (r: { errors?: { message: string }[] }) => r.errors?.[0]?.message ?? "";

describe("identity", () => {
  let api: TestApi;
  let adminId: string;
  let teamA: string;
  let teamB: string;

  beforeAll(async () => {
    api = await TestApi.start();
    adminId = (await api.ok<{ me: { id: string } }>(`{ me { id } }`)).me.id;
    teamA = await api.createTeam();
    teamB = await api.createTeam();
  });
  afterAll(() => api?.stop());
  const admin = (query: string, variables: Record<string, unknown> = {}) => api.gql(query, variables, api.adminToken);

  describe("login and sessions", () => {
    it("returns a token that works for `me` and an expiresAt in the future", async () => {
      const r = await api.gql<{ login: { token: string; expiresAt: string; user: { email: string; role: string } } }>(
        LOGIN,
        { e: ADMIN_EMAIL, p: ADMIN_PASSWORD },
      );
      expect(r.errors).toBeUndefined();
      const { token, expiresAt, user } = r.data!.login;
      expect(user).toMatchObject({ email: ADMIN_EMAIL, role: "ADMIN" });
      expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now());
      // The default lifetime is 12 hours.
      expect(new Date(expiresAt).getTime()).toBeLessThanOrEqual(Date.now() + 12 * 3600 * 1000 + 1000);
      const me = await api.ok<{ me: { id: string; email: string; role: string } }>(ME, {}, token);
      expect(me.me).toMatchObject({ id: adminId, email: ADMIN_EMAIL, role: "ADMIN" });
    });

    it("accepts the email in any case and with surrounding spaces", async () => {
      const r = await api.gql(LOGIN, { e: `  ${ADMIN_EMAIL.toUpperCase()} `, p: ADMIN_PASSWORD });
      expect(r.errors).toBeUndefined();
    });

    it("answers a wrong password and an unknown email with the same UNAUTHENTICATED message", async () => {
      const wrong = await api.gql(LOGIN, { e: ADMIN_EMAIL, p: "not-the-password" });
      const unknown = await api.gql(LOGIN, { e: `nobody-${uid()}@test.local`, p: "not-the-password" });
      expect(code(wrong)).toBe("UNAUTHENTICATED");
      expect(code(unknown)).toBe("UNAUTHENTICATED");
      expect(wrong.data).toBeNull();
      expect(message(wrong)).toBe(message(unknown));
      expect(message(wrong)).not.toMatch(/not found|no such|unknown|exist/i);
    });

    it("refuses a token signed with another secret", async () => {
      const { id: sessionId } = await api.db.session.create({
        data: { userId: adminId, expiresAt: new Date(Date.now() + 3600_000) },
      });
      const forged = await new SignJWT({})
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(adminId)
        .setJti(sessionId)
        .setIssuer("costgate")
        .setAudience("costgate-api")
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(new TextEncoder().encode(randomBytes(32).toString("hex")));
      const r = await api.gql(ME, {}, forged);
      expect(code(r)).toBe("UNAUTHENTICATED");
      expect(r.status).toBe(401);
      expect(r.data).toBeNull();
    });

    it("refuses an expired token signed with the right secret", async () => {
      const now = Math.floor(Date.now() / 1000);
      // A token names its session (jti); this one is live, so only the expiry can refuse it.
      const { id: sessionId } = await api.db.session.create({
        data: { userId: adminId, expiresAt: new Date((now + 600) * 1000) },
      });
      const expired = await new SignJWT({})
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(adminId)
        .setJti(sessionId)
        .setIssuer("costgate")
        .setAudience("costgate-api")
        .setIssuedAt(now - 7200)
        .setExpirationTime(now - 60)
        .sign(new TextEncoder().encode(api.env.COSTGATE_SESSION_SECRET));
      const r = await api.gql(ME, {}, expired);
      expect(code(r)).toBe("UNAUTHENTICATED");
      expect(message(r)).toMatch(/expired/i);

      // The same token with a future expiry is accepted, so it was the expiry that was refused.
      const fresh = await new SignJWT({})
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(adminId)
        .setJti(sessionId)
        .setIssuer("costgate")
        .setAudience("costgate-api")
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(new TextEncoder().encode(api.env.COSTGATE_SESSION_SECRET));
      expect((await api.ok<{ me: { id: string } }>(ME, {}, fresh)).me.id).toBe(adminId);
    });

    it("refuses the session of a user who no longer exists", async () => {
      const user = await api.userToken("VIEWER", teamA);
      await api.db.user.delete({ where: { id: user.id } });
      const r = await api.gql(ME, {}, user.token);
      expect(code(r)).toBe("UNAUTHENTICATED");
    });

    it.each([
      ["a Basic header", "Basic YWRtaW46cGFzc3dvcmQ="],
      ["Bearer without a token", "Bearer"],
      ["Bearer with two tokens", "Bearer abc def"],
      ["a token that is neither a JWT nor an API key", "Bearer garbage"],
      ["a truncated JWT", "Bearer a.b.c"],
    ])("refuses a malformed Authorization header: %s", async (_what, header) => {
      const res = await fetch(`${api.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: header },
        body: JSON.stringify({ query: ME }),
      });
      const body = (await res.json()) as {
        data?: unknown;
        errors?: { message: string; extensions?: { code?: string } }[];
      };
      expect(res.status).toBe(401);
      expect(body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      expect(body.data ?? null).toBeNull();
    });

    it("asks for credentials when there are none", async () => {
      const r = await api.gql(ME, {}, null);
      expect(code(r)).toBe("UNAUTHENTICATED");
      expect(message(r)).toMatch(/Authorization: Bearer/);
    });
  });

  describe("login throttling", () => {
    // Own server: small limits, and failures from this address do not disturb the other tests.
    let throttled: TestApi;
    beforeAll(async () => {
      throttled = await TestApi.start({
        LOGIN_MAX_FAILURES_PER_ACCOUNT: "3",
        LOGIN_MAX_FAILURES_PER_ADDRESS: "6",
        LOGIN_WINDOW_SECONDS: "600",
      });
    });
    afterAll(() => throttled?.stop());

    it("locks an account after LOGIN_MAX_FAILURES_PER_ACCOUNT failures, even with the right password, and only that account", async () => {
      const team = await throttled.createTeam();
      const victim = await throttled.userToken("ML_ENGINEER", team);
      const bystander = await throttled.userToken("VIEWER", team);

      for (let i = 0; i < 3; i++) {
        expect(code(await throttled.gql(LOGIN, { e: victim.email, p: `wrong-${i}` }))).toBe("UNAUTHENTICATED");
      }
      const locked = await throttled.gql(LOGIN, { e: victim.email, p: PASSWORD });
      expect(code(locked)).toBe("RATE_LIMITED");
      expect(locked.data).toBeNull();
      expect(message(locked)).toMatch(/account/);
      expect(locked.errors?.[0]?.extensions?.retryAfterSeconds).toBe(600);
      // The email is matched case-insensitively, so changing case does not get around the lock.
      expect(code(await throttled.gql(LOGIN, { e: victim.email.toUpperCase(), p: PASSWORD }))).toBe("RATE_LIMITED");

      // Another account from the same address is not affected (3 failures < 6 per address).
      const other = await throttled.gql(LOGIN, { e: bystander.email, p: PASSWORD });
      expect(other.errors).toBeUndefined();
      // Locked attempts are not counted as failures of their own.
      expect(await throttled.db.loginAttempt.count({ where: { email: victim.email, succeeded: false } })).toBe(3);
    });

    it("locks an address after LOGIN_MAX_FAILURES_PER_ADDRESS failures across accounts", async () => {
      // 3 failures from the previous test; 3 more on unknown accounts reach the limit of 6.
      for (let i = 0; i < 3; i++) {
        expect(code(await throttled.gql(LOGIN, { e: `ghost-${uid()}@test.local`, p: "whatever-password" }))).toBe(
          "UNAUTHENTICATED",
        );
      }
      const r = await throttled.gql(LOGIN, { e: ADMIN_EMAIL, p: ADMIN_PASSWORD });
      expect(code(r)).toBe("RATE_LIMITED");
      expect(message(r)).toMatch(/address/);
    });

    it("lets a locked account in again once the failures leave the window", async () => {
      await throttled.db.loginAttempt.updateMany({ data: { createdAt: new Date(Date.now() - 601_000) } });
      const r = await throttled.gql(LOGIN, { e: ADMIN_EMAIL, p: ADMIN_PASSWORD });
      expect(r.errors).toBeUndefined();
    });
  });

  describe("login throttling under concurrent guesses", () => {
    let raced: TestApi;
    beforeAll(async () => {
      raced = await TestApi.start({
        LOGIN_MAX_FAILURES_PER_ACCOUNT: "5",
        LOGIN_MAX_FAILURES_PER_ADDRESS: "1000",
        LOGIN_WINDOW_SECONDS: "600",
      });
    });
    afterAll(() => raced?.stop());

    it("lets at most LOGIN_MAX_FAILURES_PER_ACCOUNT of 50 parallel wrong passwords be tried; the rest are RATE_LIMITED", async () => {
      const team = await raced.createTeam();
      const victim = await raced.userToken("VIEWER", team);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => raced.gql(LOGIN, { e: victim.email, p: `wrong-guess-${i}` })),
      );
      const codes = results.map(code);
      const tried = codes.filter((c) => c === "UNAUTHENTICATED").length;
      expect(tried).toBeGreaterThanOrEqual(1);
      expect(tried).toBeLessThanOrEqual(5);
      expect(codes.filter((c) => c === "RATE_LIMITED")).toHaveLength(50 - tried);
      // Every password that was tried is counted, and no more.
      expect(await raced.db.loginAttempt.count({ where: { email: victim.email, succeeded: false } })).toBe(tried);
      // One at a time, the account takes exactly the rest of its 5 tries, then even the right password is refused.
      for (let i = tried; i < 5; i++)
        expect(code(await raced.gql(LOGIN, { e: victim.email, p: `wrong-again-${i}` }))).toBe("UNAUTHENTICATED");
      expect(code(await raced.gql(LOGIN, { e: victim.email, p: PASSWORD }))).toBe("RATE_LIMITED");
      expect(await raced.db.loginAttempt.count({ where: { email: victim.email, succeeded: false } })).toBe(5);
    });
  });

  describe("login throttling behind the dashboard", () => {
    let proxied: TestApi;
    let direct: TestApi;
    beforeAll(async () => {
      const limits = { LOGIN_MAX_FAILURES_PER_ACCOUNT: "50", LOGIN_MAX_FAILURES_PER_ADDRESS: "2" };
      [proxied, direct] = await Promise.all([
        TestApi.start(limits),
        TestApi.start({ ...limits, TRUST_PROXY: "false" }),
      ]);
    });
    afterAll(() => Promise.all([proxied?.stop(), direct?.stop()]));

    /** A login as the dashboard sends it: from this host, naming the browser in X-Forwarded-For. */
    const loginVia = async (api: TestApi, browser: string, password: string) => {
      const res = await fetch(`${api.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": browser },
        body: JSON.stringify({ query: LOGIN, variables: { e: ADMIN_EMAIL, p: password } }),
      });
      return (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    };

    it("counts failures per browser address the dashboard forwards, so one browser cannot lock out the rest", async () => {
      for (let i = 0; i < 2; i++)
        expect(code(await loginVia(proxied, "203.0.113.7", "wrong-password"))).toBe("UNAUTHENTICATED");
      expect(code(await loginVia(proxied, "203.0.113.7", ADMIN_PASSWORD))).toBe("RATE_LIMITED");
      expect((await loginVia(proxied, "198.51.100.20", ADMIN_PASSWORD)).errors).toBeUndefined();
      // A spoofed header sent through the dashboard arrives with the real address appended: the last one counts.
      expect(code(await loginVia(proxied, "198.51.100.20, 203.0.113.7", ADMIN_PASSWORD))).toBe("RATE_LIMITED");
    });

    it("ignores X-Forwarded-For with TRUST_PROXY=false: every request counts for its TCP peer", async () => {
      for (let i = 0; i < 2; i++)
        expect(code(await loginVia(direct, "203.0.113.7", "wrong-password"))).toBe("UNAUTHENTICATED");
      expect(code(await loginVia(direct, "198.51.100.20", ADMIN_PASSWORD))).toBe("RATE_LIMITED");
    });
  });

  describe("createUser", () => {
    const input = (over: Record<string, unknown> = {}) => ({
      email: `u-${uid()}@test.local`,
      name: "User",
      password: "a-long-enough-password",
      role: "VIEWER",
      teamId: teamA,
      ...over,
    });

    it.each([
      ["a bad email", { email: "not-an-email" }, "email"],
      ["a short password", { password: "short-pw" }, "password"],
      ["a non-admin without teamId", { role: "ML_ENGINEER", teamId: null }, "teamId"],
      ["an empty name", { name: "   " }, "name"],
    ])("refuses %s with BAD_USER_INPUT naming the field", async (_what, over, field) => {
      const before = await api.db.user.count();
      const r = await admin(CREATE_USER, { i: input(over) });
      expect(code(r)).toBe("BAD_USER_INPUT");
      expect(message(r)).toContain(field);
      expect(r.errors?.[0]?.extensions?.field).toBe(field);
      expect(await api.db.user.count()).toBe(before);
    });

    it("refuses an unknown team with NOT_FOUND", async () => {
      const r = await admin(CREATE_USER, { i: input({ teamId: "no-such-team" }) });
      expect(code(r)).toBe("NOT_FOUND");
    });

    it("creates an admin without a team", async () => {
      const r = await api.ok<{ createUser: { role: string; team: null } }>(CREATE_USER, {
        i: input({ role: "ADMIN", teamId: null }),
      });
      expect(r.createUser).toMatchObject({ role: "ADMIN", team: null });
    });

    it("refuses a duplicate email (in any case) with CONFLICT naming the email", async () => {
      const email = `dup-${uid()}@test.local`;
      await api.ok(CREATE_USER, { i: input({ email }) });
      const r = await admin(CREATE_USER, { i: input({ email: email.toUpperCase() }) });
      expect(code(r)).toBe("CONFLICT");
      expect(message(r)).toContain(email);
      expect(await api.db.user.count({ where: { email } })).toBe(1);
    });

    it("stores the password as an argon2id hash, never in plain text, and the user can log in", async () => {
      const password = `secret-${uid()}-password`;
      const email = `hash-${uid()}@test.local`;
      const { createUser } = await api.ok<{ createUser: { id: string; email: string; team: { id: string } } }>(
        CREATE_USER,
        { i: input({ email, password }) },
      );
      expect(createUser.email).toBe(email);
      expect(createUser.team.id).toBe(teamA);
      const row = await api.db.user.findUniqueOrThrow({ where: { id: createUser.id } });
      expect(row.passwordHash).toMatch(/^\$argon2id\$/);
      expect(JSON.stringify(row)).not.toContain(password);
      const login = await api.gql<{ login: { user: { id: string } } }>(LOGIN, { e: email, p: password });
      expect(login.data?.login.user.id).toBe(createUser.id);
      // The hash is not part of the API.
      expect(code(await admin(`{ me { passwordHash } }`))).toBe("BAD_USER_INPUT");
    });
  });

  describe("createTeam", () => {
    it.each(["Bad Slug", "UPPER", "a--b", "-lead", "trail-", "", "x".repeat(61)])(
      "refuses slug %j with BAD_USER_INPUT naming slug",
      async (slug) => {
        const r = await admin(CREATE_TEAM, { i: { name: "Team", slug } });
        expect(code(r)).toBe("BAD_USER_INPUT");
        expect(message(r)).toMatch(/^slug/);
      },
    );

    it("creates a team and refuses the same slug again with CONFLICT", async () => {
      const slug = `ml-platform-${uid()}`;
      const created = await api.ok<{ createTeam: { id: string; slug: string; name: string } }>(CREATE_TEAM, {
        i: { name: "ML Platform", slug },
      });
      expect(created.createTeam).toMatchObject({ slug, name: "ML Platform" });
      const r = await admin(CREATE_TEAM, { i: { name: "Another", slug } });
      expect(code(r)).toBe("CONFLICT");
      expect(message(r)).toContain(slug);
      expect(await api.db.team.count({ where: { slug } })).toBe(1);
    });
  });

  describe("API keys", () => {
    it("shows the secret once, stores only its sha256, works as Bearer and records lastUsedAt", async () => {
      const { createApiKey } = await api.ok<Created>(CREATE_KEY, {
        i: { name: "ci", role: "ML_ENGINEER", teamId: teamA },
      });
      const { secret, apiKey } = createApiKey;
      expect(secret).toMatch(KEY_RE);
      expect(KEY_RE.exec(secret)![1]).toBe(apiKey.prefix);
      expect(apiKey).toMatchObject({
        name: "ci",
        role: "ML_ENGINEER",
        team: { id: teamA },
        lastUsedAt: null,
        revokedAt: null,
      });

      const row = await api.db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
      expect(row.secretHash).toBe(createHash("sha256").update(secret).digest("hex"));
      const secretPart = secret.split("_").slice(2).join("_");
      expect(JSON.stringify(row)).not.toContain(secretPart);
      // Nothing the API answers afterwards contains the secret.
      const listed = await admin(`{ apiKeys(includeRevoked: true) { id name prefix } }`);
      expect(JSON.stringify(listed)).not.toContain(secretPart);
      expect(code(await admin(`{ apiKeys { secret } }`))).toBe("BAD_USER_INPUT");

      const me = await api.ok<{ me: { id: string; role: string; team: { id: string } } }>(ME, {}, secret);
      expect(me.me).toMatchObject({ id: apiKey.id, role: "ML_ENGINEER", team: { id: teamA } });

      const after = await api.ok<{ apiKeys: { id: string; lastUsedAt: string | null }[] }>(
        `{ apiKeys { id lastUsedAt } }`,
      );
      const used = after.apiKeys.find((k) => k.id === apiKey.id);
      expect(used?.lastUsedAt).not.toBeNull();
      expect(Math.abs(new Date(used!.lastUsedAt!).getTime() - Date.now())).toBeLessThan(60_000);
    });

    it("refuses a key whose secret part is wrong", async () => {
      const { createApiKey } = await api.ok<Created>(CREATE_KEY, {
        i: { name: "tampered", role: "VIEWER", teamId: teamA },
      });
      const tampered = `cg_${createApiKey.apiKey.prefix}_${randomBytes(32).toString("base64url")}`;
      const r = await api.gql(ME, {}, tampered);
      expect(code(r)).toBe("UNAUTHENTICATED");
    });

    it("revoking a key makes further use UNAUTHENTICATED with a message saying it was revoked", async () => {
      const { createApiKey } = await api.ok<Created>(CREATE_KEY, {
        i: { name: "to-revoke", role: "VIEWER", teamId: teamA },
      });
      expect((await api.gql(ME, {}, createApiKey.secret)).errors).toBeUndefined();

      const revoked = await api.ok<{ revokeApiKey: { revokedAt: string } }>(REVOKE_KEY, { id: createApiKey.apiKey.id });
      expect(revoked.revokeApiKey.revokedAt).toBeTruthy();

      const r = await api.gql(ME, {}, createApiKey.secret);
      expect(code(r)).toBe("UNAUTHENTICATED");
      expect(message(r)).toMatch(/revoked/);

      const active = await api.ok<{ apiKeys: { id: string }[] }>(`{ apiKeys { id } }`);
      expect(active.apiKeys.map((k) => k.id)).not.toContain(createApiKey.apiKey.id);
      const all = await api.ok<{ apiKeys: { id: string; revokedAt: string | null }[] }>(
        `{ apiKeys(includeRevoked: true) { id revokedAt } }`,
      );
      expect(all.apiKeys.find((k) => k.id === createApiKey.apiKey.id)?.revokedAt).toBe(revoked.revokeApiKey.revokedAt);

      // Revoking twice keeps the first revocation time.
      const again = await api.ok<{ revokeApiKey: { revokedAt: string } }>(REVOKE_KEY, { id: createApiKey.apiKey.id });
      expect(again.revokeApiKey.revokedAt).toBe(revoked.revokeApiKey.revokedAt);
    });

    it("revoking an unknown key is NOT_FOUND", async () => {
      expect(code(await admin(REVOKE_KEY, { id: "no-such-key" }))).toBe("NOT_FOUND");
    });

    describe("as an ML_ENGINEER", () => {
      let engineer: { id: string; token: string };
      beforeAll(async () => {
        engineer = await api.userToken("ML_ENGINEER", teamA);
      });

      it.each(["ML_ENGINEER", "VIEWER"])("may create a %s key for its own team (the team is implied)", async (role) => {
        const r = await api.ok<Created>(CREATE_KEY, { i: { name: `own-${role}`, role } }, engineer.token);
        expect(r.createApiKey.apiKey).toMatchObject({ role, team: { id: teamA } });
        expect(r.createApiKey.secret).toMatch(KEY_RE);
      });

      it.each(["ADMIN", "FINANCE"])("may not create a %s key (FORBIDDEN, nothing stored)", async (role) => {
        const before = await api.db.apiKey.count();
        const r = await api.gql(CREATE_KEY, { i: { name: `escalate-${role}`, role, teamId: teamA } }, engineer.token);
        expect(code(r)).toBe("FORBIDDEN");
        expect(r.data).toBeNull();
        expect(await api.db.apiKey.count()).toBe(before);
      });

      it("may not create a key for another team", async () => {
        const before = await api.db.apiKey.count();
        const r = await api.gql(
          CREATE_KEY,
          { i: { name: "other-team", role: "VIEWER", teamId: teamB } },
          engineer.token,
        );
        expect(code(r)).toBe("FORBIDDEN");
        expect(await api.db.apiKey.count()).toBe(before);
      });

      it("may not revoke another team's key (not found to it)", async () => {
        const { createApiKey } = await api.ok<Created>(CREATE_KEY, {
          i: { name: "b-key", role: "VIEWER", teamId: teamB },
        });
        const r = await api.gql(REVOKE_KEY, { id: createApiKey.apiKey.id }, engineer.token);
        expect(code(r)).toBe("NOT_FOUND");
        expect((await api.db.apiKey.findUniqueOrThrow({ where: { id: createApiKey.apiKey.id } })).revokedAt).toBeNull();
      });

      it("a key it made acts with that key's role, not the engineer's", async () => {
        const viewerKey = (await api.ok<Created>(CREATE_KEY, { i: { name: "ro", role: "VIEWER" } }, engineer.token))
          .createApiKey.secret;
        const r = await api.gql(
          `mutation($i:CreateModelInput!){ createModel(input:$i){ id } }`,
          { i: { teamId: teamA, name: `m-${uid()}`, task: "REGRESSION" } },
          viewerKey,
        );
        expect(code(r)).toBe("FORBIDDEN");
      });
    });
  });

  describe("team scoping of reads", () => {
    let viewerA: string;
    beforeAll(async () => {
      viewerA = (await api.userToken("VIEWER", teamA)).token;
      await api.userToken("FINANCE", teamB);
      await api.ok(CREATE_KEY, { i: { name: "b-scope", role: "VIEWER", teamId: teamB } });
      await api.ok(CREATE_KEY, { i: { name: "a-scope", role: "VIEWER", teamId: teamA } });
    });

    it("teams: an admin sees every team, a non-admin only its own", async () => {
      const all = await api.ok<{ teams: { id: string }[] }>(`{ teams { id } }`);
      expect(all.teams.map((t) => t.id)).toEqual(expect.arrayContaining([teamA, teamB]));
      const own = await api.ok<{ teams: { id: string }[] }>(`{ teams { id } }`, {}, viewerA);
      expect(own.teams.map((t) => t.id)).toEqual([teamA]);
    });

    it("team(id): a non-admin reads its own team, and another reads as unknown (null)", async () => {
      expect(
        (await api.ok<{ team: { id: string } }>(`query($id:ID!){ team(id:$id){ id } }`, { id: teamA }, viewerA)).team
          .id,
      ).toBe(teamA);
      const r = await api.gql<{ team: unknown }>(`query($id:ID!){ team(id:$id){ id name } }`, { id: teamB }, viewerA);
      expect(r.errors).toBeUndefined();
      expect(r.data?.team).toBeNull();
    });

    it("users: a non-admin sees only its team's users and may not ask for another team", async () => {
      const own = await api.ok<{ users: { email: string; team: { id: string } | null }[] }>(
        `{ users { email team { id } } }`,
        {},
        viewerA,
      );
      expect(own.users.length).toBeGreaterThan(0);
      expect(own.users.every((u) => u.team?.id === teamA)).toBe(true);
      expect(own.users.map((u) => u.email)).not.toContain(ADMIN_EMAIL);
      expect(code(await api.gql(`query($t:ID){ users(teamId:$t){ email } }`, { t: teamB }, viewerA))).toBe("FORBIDDEN");

      const adminView = await api.ok<{ users: { team: { id: string } | null }[] }>(
        `query($t:ID){ users(teamId:$t){ team { id } } }`,
        { t: teamB },
      );
      expect(adminView.users.length).toBeGreaterThan(0);
      expect(adminView.users.every((u) => u.team?.id === teamB)).toBe(true);
    });

    it("apiKeys: a non-admin sees only its team's keys", async () => {
      const own = await api.ok<{ apiKeys: { name: string; team: { id: string } | null }[] }>(
        `{ apiKeys { name team { id } } }`,
        {},
        viewerA,
      );
      expect(own.apiKeys.map((k) => k.name)).toContain("a-scope");
      expect(own.apiKeys.every((k) => k.team?.id === teamA)).toBe(true);
      expect(code(await api.gql(`query($t:ID){ apiKeys(teamId:$t){ name } }`, { t: teamB }, viewerA))).toBe(
        "FORBIDDEN",
      );
      const all = await api.ok<{ apiKeys: { name: string }[] }>(`{ apiKeys { name } }`);
      expect(all.apiKeys.map((k) => k.name)).toEqual(expect.arrayContaining(["a-scope", "b-scope"]));
    });
  });

  describe("audit log", () => {
    type Event = {
      actor: string;
      action: string;
      entityType: string;
      entityId: string;
      before: unknown;
      after: unknown;
    };
    const eventsFor = async (entityId: string) =>
      (
        await api.ok<{ auditEvents: { edges: { node: Event }[] } }>(
          `query($id:ID!){ auditEvents(entityId:$id){ edges { node { actor action entityType entityId before after } } } }`,
          { id: entityId },
        )
      ).auditEvents.edges.map((e) => e.node);

    it("records createUser, createTeam, createApiKey and revokeApiKey with the acting user, without hashes", async () => {
      const password = `audited-${uid()}-password`;
      const user = (
        await api.ok<{ createUser: { id: string } }>(CREATE_USER, {
          i: { email: `audit-${uid()}@test.local`, name: "Audited", password, role: "VIEWER", teamId: teamA },
        })
      ).createUser;
      const team = (
        await api.ok<{ createTeam: { id: string } }>(CREATE_TEAM, {
          i: { name: "Audited team", slug: `audited-${uid()}` },
        })
      ).createTeam;
      const key = (await api.ok<Created>(CREATE_KEY, { i: { name: "audited", role: "VIEWER", teamId: teamA } }))
        .createApiKey;
      await api.ok(REVOKE_KEY, { id: key.apiKey.id });

      const [userEvents, teamEvents, keyEvents] = [
        await eventsFor(user.id),
        await eventsFor(team.id),
        await eventsFor(key.apiKey.id),
      ];
      expect(userEvents).toEqual([
        expect.objectContaining({
          actor: `user:${adminId}`,
          action: "user.create",
          entityType: "User",
          entityId: user.id,
        }),
      ]);
      expect(userEvents[0]!.after).toMatchObject({ id: user.id, role: "VIEWER", teamId: teamA });
      expect(teamEvents).toEqual([
        expect.objectContaining({ actor: `user:${adminId}`, action: "team.create", entityType: "Team" }),
      ]);
      expect(keyEvents.map((e) => e.action).sort()).toEqual(["apikey.create", "apikey.revoke"]);
      const revoke = keyEvents.find((e) => e.action === "apikey.revoke")!;
      expect(revoke.before).toMatchObject({ revokedAt: null });
      expect((revoke.after as { revokedAt: string | null }).revokedAt).toBeTruthy();

      const text = JSON.stringify([userEvents, teamEvents, keyEvents]);
      for (const secret of [
        "passwordHash",
        "secretHash",
        "$argon2",
        password,
        key.secret,
        key.secret.split("_").slice(2).join("_"),
      ])
        expect(text).not.toContain(secret);
    });

    it("records the API key as the actor when a key acts", async () => {
      const key = (await api.ok<Created>(CREATE_KEY, { i: { name: "actor", role: "ML_ENGINEER", teamId: teamA } }))
        .createApiKey;
      const made = (await api.ok<Created>(CREATE_KEY, { i: { name: "made-by-key", role: "VIEWER" } }, key.secret))
        .createApiKey;
      const events = await eventsFor(made.apiKey.id);
      expect(events).toEqual([expect.objectContaining({ actor: `apikey:${key.apiKey.id}`, action: "apikey.create" })]);
    });

    it("writes no secret hash into any audit event", async () => {
      const rows = await api.db.auditEvent.findMany();
      expect(rows.length).toBeGreaterThan(5);
      const text = JSON.stringify(rows.map((r) => [r.before, r.after]));
      expect(text).not.toMatch(/passwordHash|secretHash|\$argon2/);
    });
  });
});
