import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { Router, type Request } from "express";
import { exportFilePath } from "@costgate/artifacts";
import { AppError, ErrorCode, assertCan, isAppError, notFound, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import { findSpendExport } from "./create-spend-export.ts";

/** Where a finished export is downloaded (SpendExport.url). */
export const exportUrl = (id: string) => `/exports/${id}.csv`;

/**
 * GET /exports/:id.csv: a finished spend export's file, to FINANCE or ADMIN of its team (an
 * admin: any), with the same Authorization as the API. Streamed from disk in chunks (the file
 * can be a year of a large team): the API's memory does not grow with it.
 */
export function createExportsRouter(deps: {
  db: Db;
  artifactDir: string;
  logger: { error: (obj: object, msg: string) => void };
  authenticate(req: Request): Promise<Principal>;
}): Router {
  const router = Router();
  router.get("/exports/:id.csv", async (req, res) => {
    try {
      const principal = await deps.authenticate(req);
      assertCan(principal, "GET /exports");
      const { id } = req.params as { id: string };
      const row = await findSpendExport(deps.db, principal, id);
      if (!row) throw notFound("SpendExport", id);
      if (row.status !== "SUCCEEDED")
        throw new AppError(
          ErrorCode.BAD_USER_INPUT,
          `export ${id} is ${row.status}: its file is there once it SUCCEEDED`,
        );
      const file = exportFilePath(deps.artifactDir, id);
      const size = (await stat(file)).size;
      res.setHeader("Content-Type", "text/csv; charset=utf-8");
      res.setHeader("Content-Length", String(size));
      res.setHeader(
        "Content-Disposition",
        `attachment; filename="costgate-spend-${row.format.toLowerCase()}-${row.fromAt.toISOString().slice(0, 10)}-${row.toAt.toISOString().slice(0, 10)}.csv"`,
      );
      res.setHeader("Cache-Control", "private, no-store");
      await pipeline(createReadStream(file, { highWaterMark: 64 * 1024 }), res);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (!isAppError(e)) {
        deps.logger.error({ err: e, url: req.originalUrl }, "export download failed");
        res.status(500).json({ error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: "Internal server error" } });
        return;
      }
      if (e.code === ErrorCode.UNAUTHENTICATED) res.setHeader("WWW-Authenticate", 'Bearer realm="costgate"');
      res.status(e.httpStatus).json({ error: { code: e.code, message: e.message } });
    }
  });
  return router;
}
