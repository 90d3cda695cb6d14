# syntax=docker/dockerfile:1
# The molam-analytics image: one program, every role (ROLE=all|api|consumer|evaluator).
# docs/operations.md, "Running as a cluster", says how to run it; test/deploy/ checks this file.
#
#   docker build -t molam-analytics .
#   docker run -p 8080:8080 -e JWT_JWKS_URL=… molam-analytics
#
# linux/amd64 only: the lockfile records DuckDB's linux-x64 bindings alone (see .ci/run).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: every dependency, the dashboard built into dist/web, then the dev tools dropped ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm install`, not `npm ci` (.ci/run says why). Scripts are off because the root postinstall
# builds the dashboard, whose sources are not copied yet; esbuild's own install step (tsx runs
# on it at run time) is then run by hand.
RUN npm install --no-audit --no-fund --ignore-scripts && npm rebuild esbuild
COPY web ./web
RUN npm run build:web
RUN npm prune --omit=dev --no-audit --no-fund
# The embedded state store's template (PGlite's initdb and migrations, ~10 s of CPU), made once
# here into node_modules/.cache instead of at every new container's first start
# (docs/operations.md, "Start-up"). Only the default setup uses it (no DATABASE_URL).
COPY src ./src
RUN node --import tsx -e "import('./src/state-store/open-state-store.ts').then(async (m) => (await m.openStateStore({ databaseUrl: '', dataDir: '/tmp/warm' })).close())" \
  && rm -rf /tmp/warm

# ---- runtime: production dependencies, the server's sources, the built dashboard ----
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/web ./dist/web
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY reference ./reference
# The embedded stores' directory (the default, ANALYTICS_STORE=duckdb without DATABASE_URL);
# in a cluster it holds only the ingest snapshot. Owned by the unprivileged user below.
RUN mkdir -p /data && chown 1000:1000 /data
ENV HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
# The node image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# /healthz answers from the moment the port is bound (before the stores open). No curl in a
# slim image: Node's own fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `npm start` without npm in between: node is PID 1 and gets SIGTERM itself (main.ts shuts down
# gracefully on it).
CMD ["node", "--import", "tsx", "src/main.ts"]
