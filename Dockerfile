# syntax=docker/dockerfile:1
#
# Citizens' Panel Toolkit: one image, built once. docs/operations.md says how to run it.
#
#   docker build -t citizens-panel .
#   docker run -d --name panel -p 3000:3000 \
#     -e PUBLIC_URL=https://panel.example.org -e TRUST_PROXY=true \
#     -v panel-data:/data -v panel-keys:/keys -v panel-backups:/backups citizens-panel
#
# Podman keeps the HEALTHCHECK only in Docker's image format: podman build --format docker .

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: compile TypeScript, bundle the room's client, then drop the dev dependencies ----
FROM ${NODE_IMAGE} AS build

# better-sqlite3 downloads a prebuilt binary when it can, and compiles itself when it cannot (no prebuilt for this
# Node, or no route to GitHub). The compiler stays in this stage; the runtime image never has it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Node's headers come with the image, so a compile does not download them.
ENV npm_config_nodedir=/usr/local \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

WORKDIR /app

# Dependencies first, so a change to the code reuses this layer. Install scripts are skipped except
# better-sqlite3's (package.json, allowScripts). A registry mirror or a TLS-inspecting proxy can be given as
# build secrets, which stay out of the image:
#   docker build --secret id=npmrc,src=$HOME/.npmrc --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt .
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc \
    --mount=type=secret,id=ca,target=/run/secrets/ca \
    if [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi \
 && npm ci --ignore-scripts \
 && npm rebuild better-sqlite3

COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY fixtures ./fixtures
COPY views ./views
COPY public ./public
COPY db ./db
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts \
 && node -e "require('better-sqlite3')(':memory:').close()"

# ---- runtime: Node, the built app and its production dependencies; no compiler, no sources, no dev tools ----
FROM ${NODE_IMAGE} AS runtime

LABEL org.opencontainers.image.title="Citizens' Panel Toolkit" \
      org.opencontainers.image.description="Registration, a fair stratified draw, live deliberation, votes and published outcomes" \
      org.opencontainers.image.licenses="MIT"

# The app's own user, with fixed ids so a bind-mounted folder can be given to it: chown 10001:10001 <folder>.
# The folders for the data, the keys and the backups are the user's alone (the volumes take this owner and mode).
RUN groupadd --gid 10001 panel \
 && useradd --uid 10001 --gid panel --home-dir /app --no-create-home --shell /usr/sbin/nologin panel \
 && mkdir -p /data /keys /backups \
 && chown panel:panel /data /keys /backups \
 && chmod 0700 /data /keys /backups

WORKDIR /app
# Owned by root and read-only to the app: the code cannot be changed by the process that runs it.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/views ./views
COPY --from=build /app/public ./public
COPY --from=build /app/db/migrations ./db/migrations
COPY --from=build /app/fixtures ./fixtures
COPY deploy/backup.sh ./deploy/backup.sh

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATABASE=/data/citizens-panel.db \
    KEYS_DIR=/keys \
    BACKUP_DIR=/backups

# The database (with its -wal, -shm and .lock files), the key folder, and the backups: three volumes, so the keys
# can live on another disk than the database and its backups (docs/operations.md, "The keys folder").
VOLUME ["/data", "/keys", "/backups"]

USER 10001:10001
EXPOSE 3000

# Ready, not merely alive: the database takes writes, the disk has room, the schema is current.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# The server flushes the database and closes on SIGTERM.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/server.js"]
