# shopwatch worker image: the package with its server back-end clients (pymongo, elasticsearch, redis).
# Browser pages (scrapy-playwright) additionally need Chromium: see the README.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md scrapy.cfg ./
COPY crawler ./crawler
COPY spiders ./spiders
COPY pipelines ./pipelines
COPY search ./search
COPY mallsim ./mallsim
COPY detect ./detect
COPY evidence ./evidence
COPY profiles ./profiles
COPY campaigns ./campaigns
RUN pip install ".[servers]" && useradd --create-home shopwatch && mkdir /data && chown shopwatch /data
USER shopwatch
ENV SHOPWATCH_DATA_DIR=/data \
    SHOPWATCH_SHIPPED_CAMPAIGNS=/app/campaigns \
    SHOPWATCH_STORE=mongodb://mongo:27017/shopwatch \
    SHOPWATCH_INDEX=http://elasticsearch:9200/shopwatch-listings \
    REDIS_URL=redis://redis:6379/0
CMD ["shopwatch", "--help"]
