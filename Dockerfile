# Lookout: multi-stage build → small non-root runtime image.
#   docker build -t lookout .
#   docker run -p 8080:8080 -v lookout-data:/data -e AUTHENTIK_TOKEN=… \
#     -v $PWD/lookout.toml:/etc/lookout/lookout.toml:ro lookout
# The image listens on 0.0.0.0:8080, so the config must choose a [server.auth] mode.

FROM rust:1.88-bookworm AS build
WORKDIR /src
# Dependencies first, so code changes rebuild only Lookout itself.
COPY Cargo.toml Cargo.lock build.rs ./
RUN mkdir -p src benches \
    && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && echo 'fn main() {}' > benches/detector.rs && echo 'fn main() {}' > benches/decode.rs \
    && cargo build --release --locked 2>/dev/null || true
COPY . .
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin lookout \
    && strip target/release/lookout

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/lookout /usr/local/bin/lookout
USER nonroot:nonroot
WORKDIR /data
ENV LOOKOUT_CONFIG=/etc/lookout/lookout.toml
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK NONE
ENTRYPOINT ["/usr/local/bin/lookout"]
CMD ["serve", "--listen", "0.0.0.0:8080"]
