# syntax=docker/dockerfile:1
# One image recipe for every app:  docker build --build-arg APP=hr-server --build-arg PORT=8001 .
# Stage 1 installs the workspace and builds the app and the packages it uses; `pnpm deploy` then copies
# that app with production dependencies only (workspace packages as built JavaScript). Stage 2 is a slim
# Node image running it as the unprivileged `node` user. Node 24 is the active LTS: Node 20 (which the
# code still runs on) reached its end of life in April 2026, and oidc-provider supports 22 and later.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
ARG APP
RUN test -n "$APP" || (echo "Build with --build-arg APP=<app name>, e.g. APP=issuer" && false)
# pnpm 12's npm package puts its native binary in place with an install script, which the npm that
# ships with Node 24 does not run for global installs. Until then `pnpm` is a shell script that
# shells can run but turbo cannot spawn (Exec format error), so the script is run here (it is
# idempotent where npm already ran it).
RUN npm install --global pnpm@12.4.2 \
 && node "$(npm root --global)/pnpm/install.js" \
 && pnpm --version
WORKDIR /repo
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm exec turbo run build --filter="${APP}..." \
 && pnpm --filter "${APP}" deploy --prod --legacy /out

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG APP
ARG PORT=8000
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=${PORT} \
    DATA_DIR=/data \
    MCP_AUTH_DIR=/keys \
    APP=${APP}
WORKDIR /app
COPY --from=build --chown=node:node /out /app
# Named volumes mounted here start with this ownership, so the non-root user can write to them.
RUN mkdir -p /data /keys && chown node:node /data /keys && chmod 700 /keys
USER node
EXPOSE ${PORT}
# The agent has no HTTP endpoint; every server answers GET /health.
HEALTHCHECK --interval=10s --timeout=15s --start-period=10s --retries=3 \
  CMD test "$APP" = "agent" || node -e "fetch('http://127.0.0.1:' + process.env.PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# The V8 heap settings every server ships with (the apps' dev and start scripts carry the same list;
# a test keeps them equal). They keep a loaded server's young generation and old-space slack small:
# see "Memory" in the README. For the agent, a client, they are harmless.
ENTRYPOINT ["node", "--max-semi-space-size=4", "--heap-growing-percent=100", "dist/main.js"]
