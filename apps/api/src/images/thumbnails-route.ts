import { open, stat } from "node:fs/promises";
import { join } from "node:path";
import { Router, type Request } from "express";
import sharp from "sharp";
import { AppError, ErrorCode, assertVisible, badInput, isAppError, type Principal } from "@costgate/core";
import type { Db } from "@costgate/db";
import type { ArtifactStore } from "@costgate/artifacts";
import {
  IMAGE_TENSORS_FILE,
  IMAGE_TENSORS_HEADER_BYTES,
  decodeImageTensorsHeader,
  imageRowBytes,
} from "@costgate/formats";

/** Thumbnails a dataset serves: the first images, for a glance at what the workers read. */
const MAX_THUMBNAILS = 16;

/**
 * GET /datasets/:id/thumbnails/:n.png: image n (0-based, below MAX_THUMBNAILS) of an image dataset
 * as its workers read it (decoded at the model's input size, before preprocessing), as a PNG. Any
 * role of the dataset's team may look (ADMIN: every team); another team's dataset is not found.
 */
export function createThumbnailsRouter(deps: {
  db: Db;
  store: ArtifactStore;
  logger: { error: (obj: object, msg: string) => void };
  authenticate(req: Request): Promise<Principal>;
}): Router {
  const router = Router();
  router.get("/datasets/:id/thumbnails/:n.png", async (req, res) => {
    try {
      const principal = await deps.authenticate(req);
      const { id, n } = req.params as { id: string; n: string };
      const dataset = await deps.db.dataset.findUnique({
        where: { id },
        select: { model: { select: { teamId: true } }, decodedArtifact: { select: { sha256: true } } },
      });
      assertVisible(principal, dataset, (d) => d.model.teamId, "Dataset", id);
      if (!dataset.decodedArtifact) throw badInput(`dataset ${id} is a CSV: only image datasets have thumbnails`);
      const index = /^\d{1,3}$/.test(n) ? Number(n) : -1;
      const file = join(await deps.store.get(dataset.decodedArtifact.sha256), IMAGE_TENSORS_FILE);
      const fh = await open(file, "r");
      let png: Buffer;
      try {
        const head = Buffer.alloc(IMAGE_TENSORS_HEADER_BYTES);
        await fh.read(head, 0, head.length, 0);
        const header = decodeImageTensorsHeader(head, (await stat(file)).size);
        if (index < 0 || index >= Math.min(header.rows, MAX_THUMBNAILS)) {
          throw new AppError(
            ErrorCode.NOT_FOUND,
            `thumbnail ${n} does not exist: this dataset has thumbnails 0 to ${Math.min(header.rows, MAX_THUMBNAILS) - 1}`,
          );
        }
        const bytes = Buffer.alloc(imageRowBytes(header));
        await fh.read(bytes, 0, bytes.length, IMAGE_TENSORS_HEADER_BYTES + index * bytes.length);
        png = await sharp(bytes, { raw: { width: header.width, height: header.height, channels: header.channels } })
          .png()
          .toBuffer();
      } finally {
        await fh.close();
      }
      res.setHeader("Cache-Control", "private, max-age=3600");
      res.type("png").send(png);
    } catch (e) {
      if (!isAppError(e)) {
        deps.logger.error({ err: e, url: req.originalUrl }, "thumbnail failed");
        res.status(500).json({ error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: "Internal server error" } });
        return;
      }
      if (e.code === ErrorCode.UNAUTHENTICATED) res.setHeader("WWW-Authenticate", 'Bearer realm="costgate"');
      res.status(e.httpStatus).json({ error: { code: e.code, message: e.message } });
    }
  });
  return router;
}
