# kamprov: production image. Build: docker build -t kamprov .
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
# The CLI imports the SDK's types (type-only: nothing from sdk/ reaches dist/).
COPY sdk/kamprov.d.ts ./sdk/
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 3000
# V8 flags (issue 17; figures in the README's Performance section): a 4 MB semi-space keeps
# idle RSS ~115 MB (2 MB would save a few more but nearly doubles the CPU of a request), and the old generation grows by 20 % over what is live after each full
# collection instead of up to 4x, which holds the read load near 130 MB and 20 streamed
# whole-pool lists within ~20 MB of idle. No --max-old-space-size: a hard cap turns a large
# answer that is not streamed (a random pick of a million numbers) into an out-of-memory crash.
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=20", "dist/main.js"]
