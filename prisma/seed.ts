// `npm run db:seed`: the first admin, the hardware profiles and (COSTGATE_SEED_DEMO=1) a demo team.
import { createDb, seedDatabase } from "@costgate/db";
import { adminPasswordProblem } from "@costgate/config";

const { DATABASE_URL, COSTGATE_ADMIN_EMAIL, COSTGATE_ADMIN_PASSWORD, COSTGATE_SEED_DEMO } = process.env;
const missing = Object.entries({ DATABASE_URL, COSTGATE_ADMIN_EMAIL, COSTGATE_ADMIN_PASSWORD })
  .filter(([, v]) => !v)
  .map(([k]) => k);
if (missing.length) {
  console.error(`seed: set ${missing.join(", ")} (npm start sets demo values; see .env.example)`);
  process.exit(1);
}

const passwordProblem = adminPasswordProblem(COSTGATE_ADMIN_PASSWORD!, process.env.NODE_ENV);
if (passwordProblem) {
  console.error(`seed: ${passwordProblem}`);
  process.exit(1);
}

const db = createDb(DATABASE_URL!);
try {
  const result = await seedDatabase(db, {
    adminEmail: COSTGATE_ADMIN_EMAIL!,
    adminPassword: COSTGATE_ADMIN_PASSWORD!,
    demo: COSTGATE_SEED_DEMO === "1",
  });
  console.log(
    `seed: admin ${result.adminCreated ? "created" : "already there"}, ${result.profilesCreated} hardware profile(s) created` +
      (COSTGATE_SEED_DEMO === "1" ? `, demo team ${result.demoTeamCreated ? "created" : "already there"}` : ""),
  );
} catch (e) {
  console.error(`seed: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
