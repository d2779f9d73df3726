import { describe, expect, it } from "vitest";
import { addressProblem, webhookTargetProblem } from "./webhook-target.ts";

describe("webhook targets", () => {
  it.each([
    "127.0.0.1",
    "127.1.2.3",
    "0.0.0.0",
    "10.0.0.5",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "::1",
    "::",
    "fe80::1",
    "fd00:ec2::254",
    "fc00::1",
    "::ffff:127.0.0.1",
    "::ffff:a00:1",
    "224.0.0.1",
    "255.255.255.255",
  ])("refuses %s", (ip) => {
    expect(addressProblem(ip)).toMatch(/address/);
  });

  it.each(["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111"])("accepts the public address %s", (ip) => {
    expect(addressProblem(ip)).toBeNull();
  });

  it.each([
    ["http://127.0.0.1:6379/", /127\.0\.0\.1/],
    ["http://[::1]:5432/", /::1/],
    ["http://2130706433/", /127\.0\.0\.1/], // decimal form of 127.0.0.1
    ["http://0x7f.1/", /127\.0\.0\.1/],
    ["http://169.254.169.254/latest/meta-data/", /169\.254\.169\.254/],
    ["http://localhost:4000/graphql", /localhost resolves to .*loopback/],
  ])("refuses %s, after resolving names", async (url, why) => {
    expect(await webhookTargetProblem(url, { allowPrivate: false })).toMatch(why);
  });

  it("accepts private targets when allowed (local development, tests)", async () => {
    expect(await webhookTargetProblem("http://127.0.0.1:9/hook", { allowPrivate: true })).toBeNull();
  });

  it("accepts a name that does not resolve yet: delivery checks again", async () => {
    expect(await webhookTargetProblem("https://hooks.example.invalid/costgate", { allowPrivate: false })).toBeNull();
  });
});
