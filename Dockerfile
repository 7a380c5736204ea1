# One image for the three apps, the gateway and the index migration; the compose files and the
# Kubernetes manifests (deploy/) pick the entry point. Node 24 is the current LTS line.
# Build stage: full install (SWC is a dev dependency), compile, then drop dev dependencies. Tests,
# test support and benchmarks never enter the build context (.dockerignore), so none of them is
# compiled into dist/ or copied into the image.
FROM node:24-trixie-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install keeps the committed lock; see the README on why not npm ci.
RUN npm install --no-audit --no-fund
COPY . .
RUN node tools/build.js && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: compiled code and production dependencies only, as the unprivileged node user
# (uid 1000), in production mode: HS256 development tokens are refused, and an app without its
# issuer, audience, JWKS, peer URL or client credentials refuses to start, naming each one.
FROM node:24-trixie-slim
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 3001 3002 3003 8080
# Ready means serving: the database is reachable (apps) or every app is ready (gateway). PORT is
# the port the process listens on; the check asks 127.0.0.1 with Node's own fetch (no curl here).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --start-interval=2s --retries=3 \
  CMD ["node", "dist/tools/healthcheck.js"]
CMD ["node", "dist/tools/gateway.js"]
