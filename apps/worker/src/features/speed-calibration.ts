import { REFERENCE_WORKLOAD, type CostMeasurement } from "@costgate/ml";
import type { Prisma } from "@costgate/db";
import type { WorkerDeps } from "../deps.ts";
import type { SpeedCalibrationRef } from "../tf/protocol.ts";

/**
 * Speed calibration of a hardware profile (docs/ARCHITECTURE.md, "Cost of a version"): every
 * measurement times the speed reference of @costgate/ml beside the model and is normalised to
 * the speed that reference ran at when the profile was first measured with that backend. The
 * first measurement on a profile and backend makes the calibration (it is, by definition, at the
 * calibrated speed); later ones on any worker of the profile are normalised to it.
 */
export async function calibrationsOf(deps: WorkerDeps): Promise<SpeedCalibrationRef[]> {
  return deps.db.speedCalibration.findMany({
    where: { hardwareProfileId: deps.profile.id, workload: REFERENCE_WORKLOAD },
    select: { id: true, backend: true, referenceThroughputPerSecond: true },
  });
}

/** What a CostMeasurement row records of the normalisation. */
interface Normalisation {
  speedCalibrationId: string | null;
  speedFactor: number | null;
  rawThroughputPerSecond: number | null;
}

/**
 * The normalisation of a measurement made with `calibrations`: the calibration it was normalised
 * to, or — when its backend had none — the calibration this measurement makes. Runs in the
 * transaction that stores the measurement.
 */
export async function normalisationOf(
  tx: Prisma.TransactionClient,
  deps: Pick<WorkerDeps, "profile" | "hostId">,
  cost: CostMeasurement,
  calibrations: SpeedCalibrationRef[],
): Promise<Normalisation> {
  const speed = cost.speed;
  if (!speed) return { speedCalibrationId: null, speedFactor: null, rawThroughputPerSecond: null };
  const used = calibrations.find((c) => c.backend === cost.backend);
  if (used && speed.calibratedThroughputPerSecond !== null) {
    return {
      speedCalibrationId: used.id,
      speedFactor: speed.speedFactor,
      rawThroughputPerSecond: speed.rawThroughputPerSecond,
    };
  }
  // The first measurement on this profile and backend: it defines the calibrated speed. Another
  // worker of the profile may have calibrated meanwhile; then this measurement is left raw.
  const where = {
    hardwareProfileId_backend_workload: {
      hardwareProfileId: deps.profile.id,
      backend: cost.backend,
      workload: speed.workload,
    },
  };
  const { count } = await tx.speedCalibration.createMany({
    data: [
      {
        hardwareProfileId: deps.profile.id,
        backend: cost.backend,
        workload: speed.workload,
        referenceThroughputPerSecond: speed.referenceThroughputPerSecond,
        hostId: deps.hostId,
      },
    ],
    skipDuplicates: true,
  });
  if (count === 0) return { speedCalibrationId: null, speedFactor: null, rawThroughputPerSecond: null };
  const made = await tx.speedCalibration.findUniqueOrThrow({ where, select: { id: true } });
  return { speedCalibrationId: made.id, speedFactor: 1, rawThroughputPerSecond: speed.rawThroughputPerSecond };
}
