# The Shoal image: one binary, every service (`shoal api`, `shoal scheduler`, ...), as k3s.
# It packages the tree built on the host (`npm ci && npm run build`, which scripts/setup.sh
# runs), dropping the dev dependencies. The base is a glibc Node.js 20 image with npm (the
# host's node_modules carry native addons built for that ABI), and the build needs dist/:
#   docker build -t shoal/shoal:dev .                                   (official node image)
#   docker build --build-arg BASE_IMAGE=shoal/node-base:20 -t ... .     (offline, see deploy/)
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BASE_IMAGE} AS modules
WORKDIR /opt/shoal
COPY package.json package-lock.json ./
COPY node_modules/ node_modules/
# Only deletes (no registry access needed): what is left is the production dependencies.
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${BASE_IMAGE}
WORKDIR /opt/shoal
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY --from=modules /opt/shoal/node_modules/ node_modules/
COPY proto/ proto/
COPY bin/ bin/
COPY dist/ dist/
ENTRYPOINT ["node", "/opt/shoal/bin/shoal.js"]
CMD ["help"]
