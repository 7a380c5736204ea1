# One image for the three apps and the gateway; docker-compose.yml picks the entry point.
# Build stage: full install (SWC is a dev dependency), compile, then drop dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install keeps the committed lock; see the README on why not npm ci.
RUN npm install --no-audit --no-fund
COPY . .
RUN node tools/build.js && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: compiled code and production dependencies only, as the unprivileged node user.
FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 3001 3002 3003 8080
CMD ["node", "dist/tools/gateway.js"]
