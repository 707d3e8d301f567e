# syntax=docker/dockerfile:1.7
#
# Riffle's SQL analyzer (deploy/sql-analyzer): Flink's own parser and planner behind a JSON API, which the
# API asks about every statement and the scheduler about plans and DDL. It plans with exactly the jars of a
# Flink cell (deploy/docker/flink.Dockerfile: same Flink image, Kafka connector, avro-confluent format and
# Riffle's formats, same versions and checksums), with one change the local stack makes too
# (deploy/local/src/components/sql-analyzer.ts): the planner itself, unpacked from
# flink-table-planner-loader (which carries it as flink-table-planner.jar), instead of the loader.
# Build from the repository root:
#
#   docker build -f deploy/docker/sql-analyzer.Dockerfile -t riffle-sql-analyzer:0.1.0 .

ARG FLINK_VERSION=2.2.0
ARG FLINK_IMAGE=flink:${FLINK_VERSION}-scala_2.12-java17

FROM ${FLINK_IMAGE} AS flink
ARG FLINK_VERSION
ARG FLINK_KAFKA_CONNECTOR_VERSION=5.0.0-2.2
ARG FLINK_KAFKA_CONNECTOR_SHA256=5605c691d11a501382c383fecba37a7a552467da5ab7ba904ef5d6f3d62c5616
ARG FLINK_AVRO_CONFLUENT_SHA256=dc331e14107ded6e07f5f77321aa06d8019aa9f33654d0658e49648409b5b80d
ARG MAVEN_CENTRAL=https://repo.maven.apache.org/maven2
# the fat connector and format jars go last on the classpath (they bundle unrelocated commons-lang3 …)
RUN set -eu; \
  mkdir -p /tmp/last; \
  fetch() { \
    wget -nv -O "/tmp/last/$(basename "$1")" "${MAVEN_CENTRAL}/$1"; \
    echo "$2  /tmp/last/$(basename "$1")" | sha256sum -c -; \
  }; \
  fetch "org/apache/flink/flink-sql-connector-kafka/${FLINK_KAFKA_CONNECTOR_VERSION}/flink-sql-connector-kafka-${FLINK_KAFKA_CONNECTOR_VERSION}.jar" \
    "${FLINK_KAFKA_CONNECTOR_SHA256}"; \
  fetch "org/apache/flink/flink-sql-avro-confluent-registry/${FLINK_VERSION}/flink-sql-avro-confluent-registry-${FLINK_VERSION}.jar" \
    "${FLINK_AVRO_CONFLUENT_SHA256}"

# javac and jar, which the Flink image (a JRE) lacks; the same Java 17
FROM eclipse-temurin:17-jdk AS build
ARG FLINK_VERSION
COPY --from=flink /opt/flink/lib /flink-lib
COPY --from=flink /tmp/last /out/last
COPY deploy/flink-formats/src/main /formats
COPY deploy/sql-analyzer/src/main/java /analyzer
RUN set -eu; \
  mkdir -p /out/lib /classes/formats /classes/analyzer; \
  for jar in /flink-lib/*.jar; do \
    case "$jar" in */flink-table-planner-loader-*) ;; *) cp "$jar" /out/lib/ ;; esac; \
  done; \
  cd /out/lib && jar xf "/flink-lib/flink-table-planner-loader-${FLINK_VERSION}.jar" flink-table-planner.jar; \
  javac --release 17 -nowarn -encoding UTF-8 -d /classes/formats -classpath '/out/lib/*:/out/last/*' \
    $(find /formats/java -name '*.java'); \
  cp -r /formats/resources/. /classes/formats/; \
  jar --create --file /out/lib/riffle-formats.jar --no-manifest -C /classes/formats .; \
  javac --release 17 -nowarn -encoding UTF-8 -d /classes/analyzer -classpath '/out/lib/*:/out/last/*' \
    $(find /analyzer -name '*.java'); \
  jar --create --file /out/riffle-sql-analyzer.jar --no-manifest -C /classes/analyzer .

FROM ${FLINK_IMAGE}
COPY --from=build --chown=flink:flink /out /opt/sql-analyzer
USER flink
EXPOSE 18990
# JSON lines of its own on stdout; Flink's logging through the image's console config
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:InitialRAMPercentage=70", "-XX:MaxRAMPercentage=70", \
  "-XX:+ExitOnOutOfMemoryError", \
  "-Dsun.net.httpserver.nodelay=true", "-Djava.io.tmpdir=/tmp", \
  "-Dlog4j.configurationFile=/opt/flink/conf/log4j-console.properties", \
  "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED", \
  "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED", \
  "-Driffle.analyzer.host=0.0.0.0", "-Driffle.analyzer.port=18990", \
  "-cp", "/opt/sql-analyzer/riffle-sql-analyzer.jar:/opt/sql-analyzer/lib/*:/opt/sql-analyzer/last/*", \
  "io.riffle.sqlanalyzer.SqlAnalyzerServer"]
