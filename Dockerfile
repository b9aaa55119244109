# Build stage: a wheel of the service, with the generated gRPC code checked for drift.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY proto/ proto/
COPY settlement/ settlement/
COPY adapters/ adapters/
RUN pip install --no-cache-dir build grpcio-tools \
 && python -m adapters.grpc.codegen --check \
 && python -m build --wheel --outdir /dist

# Runtime stage: slim, non-root, photos on a volume.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SETTLEMENT_BIND_ADDRESS=0.0.0.0 \
    SETTLEMENT_UPLOADS_DIR=/app/uploads \
    SETTLEMENT_DATA_DIR=/app/data
RUN useradd --create-home --uid 10001 app
COPY --from=build /dist/*.whl /tmp/
# The embedded MongoDB extra keeps a single container usable for trials; production sets
# SETTLEMENT_MONGO_URI to a replica set and the embedded server is never started.
RUN pip install --no-cache-dir "$(ls /tmp/*.whl)[embedded]" && rm /tmp/*.whl
WORKDIR /app
RUN mkdir -p uploads data && chown app:app uploads data
USER app
VOLUME ["/app/uploads", "/app/data"]
EXPOSE 8000 50051
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
ENTRYPOINT ["settlement"]
CMD ["serve"]
