# syntax=docker/dockerfile:1
# One image for every Costgate app: the whole workspace, TypeScript run by tsx (no build step).
# docker-compose.yml picks the app with `command:` (api, worker); the dashboard has its own
# `web` target with its production build made at image build time.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS base
ENV CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    TURBO_TELEMETRY_DISABLED=1 \
    NEXT_TELEMETRY_DISABLED=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
WORKDIR /app

# Only the package manifests, so the dependency layer below is rebuilt only when they change.
FROM base AS manifests
COPY . /src
RUN mkdir -p /out \
 && cd /src \
 && cp package.json package-lock.json /out/ \
 && for f in apps/*/package.json packages/*/package.json e2e/package.json; do \
      mkdir -p "/out/$(dirname "$f")" && cp "$f" "/out/$f"; \
    done

FROM base AS deps
COPY --from=manifests /out/ ./
# Install scripts are skipped here: the root postinstall (prisma generate) needs the sources,
# and only tfjs-node's matters at run time. It downloads libtensorflow; without internet it
# fails and the worker falls back to the wasm backend (docs/ARCHITECTURE.md, "Platform notes").
RUN npm ci --ignore-scripts \
 && (npm rebuild @tensorflow/tfjs-node --foreground-scripts \
     || echo "tfjs-node unavailable: TensorFlow.js will use the wasm backend")

FROM deps AS build
COPY . .
RUN node scripts/prisma.mjs generate

# The dashboard: `next build` at image build time (codegen reads apps/api/schema.graphql, no API
# needed), then its server (apps/web/server.mjs) as the unprivileged node user.
FROM build AS web
ENV NODE_ENV=production \
    PORT=3000 \
    HOSTNAME=0.0.0.0
RUN cd apps/web && npm run codegen && node /app/node_modules/next/dist/bin/next build \
 && chown -R node:node /app/apps/web/.next
USER node
WORKDIR /app/apps/web
EXPOSE 3000
CMD ["node", "/app/apps/web/server.mjs", "--port", "3000", "--hostname", "0.0.0.0"]

# Last, so a plain `docker build` makes the api/worker image.
FROM build AS runtime
ENV NODE_ENV=production \
    API_HOST=0.0.0.0 \
    API_PORT=4000 \
    ARTIFACT_DIR=/var/lib/costgate/artifacts
# The app files stay owned by root (read-only for the app); only the artifact store is writable.
RUN mkdir -p /var/lib/costgate/artifacts && chown node:node /var/lib/costgate/artifacts
USER node
EXPOSE 4000
CMD ["node", "--import", "tsx", "apps/api/src/main.ts"]
