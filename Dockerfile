FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
# Static files are collected with the production settings (DEBUG unset), so the manifest
# that CompressedManifestStaticFilesStorage reads at run time is written. The settings
# refuse to load without a SECRET_KEY when DEBUG is off: this one exists for the build
# step only and is not kept in the image (the container gets its own at run time).
RUN python -m helpdesk.translations \
 && SECRET_KEY=build-only-collectstatic-not-a-secret python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "helpdesk.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
