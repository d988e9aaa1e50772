FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VETTING_VAR_DIR=/data VETTING_STATIC_ROOT=/app/staticfiles
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-nanum \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir . \
 && DJANGO_SECRET_KEY=build-only-not-a-secret-0123456789-0123456789-0123456789 \
    VETTING_FIELD_KEYS=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= VETTING_BLIND_INDEX_KEY=build \
    VETTING_VAR_DIR=/tmp/build python manage.py collectstatic --noinput
RUN useradd --system --home /app vetting && mkdir -p /data && chown vetting /data
USER vetting
EXPOSE 8000
CMD ["gunicorn", "vetting.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
