import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookSignatureProblem } from "@costgate/secrets";
import { storeCost } from "@costgate/testkit";
import { TestApi, startWorker, until } from "../../test/flow.ts";
import { budget, readyModel, receiver, spend } from "../../test/budget-fixtures.ts";
import type { CostgateWorker } from "../create-worker.ts";
import { checkBudgets } from "../features/check-budgets.ts";
import { enqueueWeeklyDigests, lastFullWeek } from "../features/notify/weekly-digest.ts";

/**
 * Notifications end to end: a real worker consuming the budgets, webhooks and notify queues, a
 * real SMTP server (the smtp-server package) on 127.0.0.1 that keeps every message it accepts,
 * and a real HTTP receiver for Slack-format webhooks.
 */
let api: TestApi;
let worker: CostgateWorker;
let smtp: SMTPServer;
const mails: { envelopeTo: string[]; mail: ParsedMail }[] = [];
const closers: { close(): Promise<void> }[] = [];
const SECRET = "receiver-secret-0123456789";

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          mails.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        })
        .catch(callback);
    },
  });
  smtp.listen(0, "127.0.0.1");
  await once(smtp.server, "listening");
  const { port } = smtp.server.address() as AddressInfo;
  api = await TestApi.start({ WEBHOOK_ALLOW_PRIVATE_TARGETS: "true" });
  worker = await startWorker(api, {
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    SMTP_FROM: "Costgate <alerts@costgate.test>",
    DASHBOARD_URL: "https://costgate.example.com",
    WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
    WEBHOOK_BACKOFF_BASE_MS: "50",
  });
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await Promise.all(closers.map((c) => c.close()));
  await api?.stop();
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
});

/** A team with one user of each role: only FINANCE and ADMIN members get e-mail. */
async function team() {
  const teamId = await api.createTeam();
  const users = {} as Record<"ADMIN" | "FINANCE" | "ML_ENGINEER" | "VIEWER", string>;
  for (const role of ["ADMIN", "FINANCE", "ML_ENGINEER", "VIEWER"] as const)
    users[role] = (await api.userToken(role, teamId)).email;
  return { teamId, users };
}

const mailsTo = (address: string, count: number) =>
  until(
    `${count} e-mails to ${address}`,
    async () => {
      const got = mails.filter((m) => m.envelopeTo.includes(address));
      return got.length >= count ? got : undefined;
    },
    30_000,
    100,
  );

/** The notify jobs queued for a team (any state): what would be e-mailed, once each. */
async function notifyJobsOf(teamId: string) {
  const jobs = await worker.deps.producer
    .queue("notify")
    .getJobs(["waiting", "active", "delayed", "completed", "failed", "prioritized"]);
  return jobs
    .filter((j) => (j.data as { teamId?: string }).teamId === teamId)
    .map((j) => ({ kind: (j.data as { kind: string }).kind, eventKey: (j.data as { eventKey?: string }).eventKey }));
}

describe("e-mail and Slack-format notifications", () => {
  it("e-mails each new alert to the team's FINANCE and ADMIN users, readable, with a link to its budget", async () => {
    const { teamId, users } = await team();
    const { version } = await readyModel(api.db, teamId);
    await spend(api.db, version, teamId, "2025-01-10", "60.000000");
    const b = await budget(api.db, teamId, { amountUsd: "100", alertThresholds: [0.5] });
    await checkBudgets(worker.deps, { teamId, now: new Date("2025-01-16T00:00:00.000Z") });

    const [got] = await mailsTo(users.FINANCE, 1);
    expect(got!.envelopeTo.sort()).toEqual([users.ADMIN, users.FINANCE].sort());
    const { mail } = got!;
    expect(mail.from?.value[0]).toMatchObject({ name: "Costgate", address: "alerts@costgate.test" });
    expect(mail.subject).toBe(`[Costgate] Budget “${b.name}”: spend reached 50% of $100.00`);
    expect(mail.text).toContain("Spent so far $60.00 (60%); forecast $220.00 (220%)");
    expect(mail.text).toContain(`Open in Costgate: https://costgate.example.com/budgets/${b.id}`);
    // A second check raises nothing new, so no second e-mail is queued.
    await checkBudgets(worker.deps, { teamId, now: new Date("2025-01-16T00:01:00.000Z") });
    expect(await notifyJobsOf(teamId)).toEqual([
      { kind: "event", eventKey: expect.stringMatching(/^alert\.created:/) },
    ]);
    expect(mails.filter((m) => m.envelopeTo.includes(users.FINANCE))).toHaveLength(1);
    expect(mails.some((m) => m.envelopeTo.includes(users.ML_ENGINEER) || m.envelopeTo.includes(users.VIEWER))).toBe(
      false,
    );
  }, 60_000);

  it("posts a Slack incoming-webhook message, signed, to a webhook that chose the SLACK format", async () => {
    const { teamId } = await team();
    const r = await receiver();
    closers.push(r);
    await api.ok(`mutation($i:CreateWebhookInput!){ createWebhook(input:$i){ id } }`, {
      i: { teamId, url: r.url, secret: SECRET, events: ["alert.created"], format: "SLACK" },
    });
    const { version } = await readyModel(api.db, teamId);
    await spend(api.db, version, teamId, "2025-01-10", "0.000114");
    const b = await budget(api.db, teamId, { amountUsd: "0.0002", alertThresholds: [0.5] });
    await checkBudgets(worker.deps, { teamId, now: new Date("2025-01-16T00:00:00.000Z") });

    await until("the Slack message", async () => (r.received.length ? r.received : undefined), 30_000, 100);
    const req = r.received[0]!;
    expect(webhookSignatureProblem(SECRET, req.headers["costgate-signature"] as string, req.body)).toBeNull();
    const body = JSON.parse(req.body) as {
      text: string;
      blocks: { type: string; text: { type: string; text: string } }[];
    };
    expect(Object.keys(body).sort()).toEqual(["blocks", "text"]);
    expect(body.text.split("\n")[0]).toBe(`Budget “${b.name}”: spend reached 50% of $0.00020`);
    expect(body.text).toContain("Spent so far $0.000114 (57%)");
    expect(body.text).toContain(`https://costgate.example.com/budgets/${b.id}`);
    expect(body.blocks[0]).toMatchObject({ type: "section", text: { type: "mrkdwn" } });
    expect(body.blocks[0]!.text.text).toContain(`<https://costgate.example.com/budgets/${b.id}|Open in Costgate>`);
  }, 60_000);

  it("sends each team a weekly digest once: spend against the week before, top movers, anomalies and savings", async () => {
    const { teamId, users } = await team();
    const now = new Date("2025-03-12T09:00:00Z"); // a Wednesday: the last full week is Mar 3–9
    const weekStart = lastFullWeek(now);
    expect(weekStart.toISOString()).toBe("2025-03-03T00:00:00.000Z");
    const a = await readyModel(api.db, teamId);
    await api.db.model.update({ where: { id: a.model.id }, data: { name: "Fraud scorer" } });
    const small = await readyModel(api.db, teamId);
    await api.db.model.update({ where: { id: small.model.id }, data: { name: "Tiny ranker" } });
    await spend(api.db, a.version, teamId, "2025-02-25", "40.000000"); // the week before
    await spend(api.db, a.version, teamId, "2025-03-04", "70.000000");
    await spend(api.db, small.version, teamId, "2025-03-05", "0.000114");
    await spend(api.db, a.version, teamId, "2025-03-10", "999.000000"); // this week: not in the digest
    // An optimized version in production, $1.00 per 1M cheaper than its upload, serving 2M requests.
    const profile = await api.db.hardwareProfile.findFirstOrThrow({ where: { isDefault: true } });
    await api.db.modelVersion.update({ where: { id: small.version.id }, data: { stage: "ARCHIVED" } });
    const optimized = await api.db.modelVersion.create({
      data: {
        modelId: small.model.id,
        number: 2,
        source: "QUANTIZE",
        parentId: small.version.id,
        status: "READY",
        stage: "PRODUCTION",
        artifactId: small.version.artifactId,
        createdBy: "system",
      },
    });
    await storeCost(api.db, small.version.id, profile.id, "3.000000");
    await storeCost(api.db, optimized.id, profile.id, "2.000000");
    await spend(api.db, optimized, teamId, "2025-03-06", "4.000000", 2_000_000);
    // The anomaly detector's findings (detect-anomalies has its own tests): one in the week, one after it.
    const anomaly = (day: string, actualUsd: string, priceEffectUsd: string, volumeEffectUsd: string) =>
      api.db.spendAnomaly.create({
        data: {
          modelId: a.model.id,
          teamId,
          day: new Date(`${day}T00:00:00Z`),
          versionId: a.version.id,
          expectedUsd: "10",
          lowUsd: "8",
          highUsd: "12",
          actualUsd,
          priceEffectUsd,
          volumeEffectUsd,
          expectedRequests: 1000n,
          actualRequests: 1100n,
        },
      });
    await anomaly("2025-03-04", "70", "55.5", "4.5");
    await anomaly("2025-03-10", "999", "0", "989");

    await enqueueWeeklyDigests(worker.deps, now);
    await enqueueWeeklyDigests(worker.deps, now); // a second run of the schedule sends nothing more
    const [got] = await mailsTo(users.FINANCE, 1);
    const { mail } = got!;
    expect(mail.subject).toMatch(/^Costgate weekly: .* spent \$74\.00 \(Mar 3–Mar 9\), \+\$34\.00 \(\+85%\)$/);
    expect(mail.text).toContain(
      "Top movers by model:\n- Fraud scorer: $70.00, +$30.00 (+75%)\n- Tiny ranker: $4.00, +$4.00 (new)\n",
    );
    expect(mail.text).toContain("Savings from promotions: $2.00 this week, from 1 optimized version in production");
    expect(mail.text).toContain(
      "Anomalies (spend outside the expected range):\n- Fraud scorer on Mar 4: $70.00, expected $10.00 (price +$55.50, volume +$4.50)\n",
    );
    expect(mail.text).not.toContain("Mar 10");
    expect(await notifyJobsOf(teamId)).toEqual([{ kind: "digest", eventKey: undefined }]);
    expect(mails.filter((m) => m.envelopeTo.includes(users.FINANCE))).toHaveLength(1);
  }, 60_000);
});
