# syntax=docker/dockerfile:1
# Stage 1: build the console (React + Vite) into static files.
FROM node:20-bookworm-slim AS console
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# Stage 2: a wheel holding the package, its migrations and the built console.
FROM python:3.11-slim AS wheel
WORKDIR /build
COPY pyproject.toml README.md ./
COPY src ./src
COPY migrations ./migrations
COPY --from=console /build/src/liveops/web/static ./src/liveops/web/static
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

# Stage 3: the runtime: slim, non-root, no Node.
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 liveops
COPY --from=wheel /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER liveops
WORKDIR /home/liveops
ENV LIVEOPS_DATA_DIR=/home/liveops/data \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["liveops", "serve", "--host", "0.0.0.0", "--port", "8000"]
