# shopwatch worker image: the package with its server back-end clients (pymongo, elasticsearch, redis),
# Debian's Chromium for JavaScript storefronts (scrapy-playwright) and evidence capture, and the CJK
# and emoji fonts evidence screenshots need to show Chinese text and 🚬-style evasions.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       chromium fonts-liberation fonts-wqy-microhei fonts-noto-color-emoji \
    && rm -rf /var/lib/apt/lists/*
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
# The compiled detection modules (detect.native): gcc only for the build, then removed.
ENV SHOPWATCH_NATIVE_DIR=/opt/shopwatch-native
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && pip install ".[servers,native]" && python -m detect.build \
    && pip uninstall -y cython && apt-get purge -y gcc libc6-dev && apt-get autoremove -y \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home shopwatch && mkdir /data && chown shopwatch /data
USER shopwatch
ENV SHOPWATCH_DATA_DIR=/data \
    SHOPWATCH_BROWSER_PATH=/usr/bin/chromium \
    SHOPWATCH_SHIPPED_CAMPAIGNS=/app/campaigns \
    SHOPWATCH_STORE=mongodb://mongo:27017/shopwatch \
    SHOPWATCH_INDEX=http://elasticsearch:9200/shopwatch-listings \
    REDIS_URL=redis://redis:6379/0
CMD ["shopwatch", "--help"]
