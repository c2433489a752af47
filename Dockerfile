# Build:  python -m build --wheel && docker build -t skembed .
# Run:    docker run --rm skembed            (the demo)   or   docker run --rm skembed --help
FROM python:3.12-slim
COPY dist/*.whl /tmp/
RUN pip install --no-cache-dir /tmp/*.whl && rm /tmp/*.whl
# compile the kernels once at build time, so that containers start with a warm numba cache
RUN skembed demo --epochs 1 --vector-size 20
ENTRYPOINT ["skembed"]
CMD ["demo", "--epochs", "1"]
