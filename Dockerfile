# ecitizen container image: a static Go binary on distroless, as a non-root user.
#
#   docker build -t ecitizen .
#   docker run -p 8080:8080 -v ecitizen-data:/data ecitizen
#
# The SQLite store, jwt.key and data.key live in the /data volume. Configure with
# ECITIZEN_* variables (see the README); stop with `docker stop -t 30` so that the
# 20 s graceful shutdown (ECITIZEN_SHUTDOWN_GRACE) can finish.

FROM golang:1.26 AS build
WORKDIR /src
ENV CGO_ENABLED=0
# Dependencies first: this layer is reused while go.mod and go.sum stay the same.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/ecitizen ./api \
 && go build -trimpath -ldflags="-s -w" -o /out/healthcheck ./scripts/healthcheck \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ecitizen /ecitizen
# Distroless has no shell, curl or wget: a tiny static binary GETs /healthz.
COPY --from=build /out/healthcheck /healthcheck
# An empty /data owned by the nonroot user (65532), so a new volume is writable.
COPY --from=build --chown=65532:65532 /out/data /data
ENV ECITIZEN_DATA_DIR=/data ECITIZEN_ADDR=:8080
VOLUME /data
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/healthcheck"]
ENTRYPOINT ["/ecitizen"]
