import { Prisma } from "@costgate/db";
import { AppError, ErrorCode } from "@costgate/core";

/** Runs fn; a unique-constraint violation becomes CONFLICT with the given message. */
export async function conflictOnDuplicate<T>(fn: () => Promise<T>, message: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") {
      throw new AppError(ErrorCode.CONFLICT, message);
    }
    throw e;
  }
}
