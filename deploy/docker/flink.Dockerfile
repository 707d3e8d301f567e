# syntax=docker/dockerfile:1.7
#
# A Flink cell: the official Flink image plus what Riffle's statements need on the classpath, the same
# jars and versions as the local stack (deploy/local/maven/flink/pom.xml):
#   - flink-sql-connector-kafka   connectors 'kafka' and 'upsert-kafka' (fat jar, Kafka client inside)
#   - flink-sql-avro-confluent-registry   formats 'avro-confluent', 'debezium-avro-confluent' and 'avro'
#   - riffle-formats   Riffle's own 'json-registry' and 'protobuf-registry' (deploy/flink-formats), compiled
#     in a JDK stage against this image's lib/, as the local stack compiles them (flink-formats.ts)
# and the S3 file system plugin for checkpoints, savepoints and HA (flink-cell-0.yaml).
# One image serves the JobManager, the TaskManagers (FlinkDeployment or `jobmanager` / `taskmanager`
# commands) and the SQL Gateway (`sql-gateway.sh start-foreground ...`). Build from the repository root:
#
#   docker build -f deploy/docker/flink.Dockerfile -t riffle-flink:0.1.0 .
#
# The jars come from Maven Central and are checked against SHA-256 sums; if you change a version,
# change its sum too (sha256sum of the jar, e.g. the one in ~/.m2 after `npm start`).

ARG FLINK_VERSION=2.2.0
ARG FLINK_IMAGE=flink:${FLINK_VERSION}-scala_2.12-java17

FROM ${FLINK_IMAGE} AS flink

# the formats need javac, which the Flink image (a JRE) lacks; the same Java 17
FROM eclipse-temurin:17-jdk AS formats
COPY --from=flink /opt/flink/lib /flink-lib
COPY deploy/flink-formats/src/main /formats
RUN set -eu; \
  mkdir /classes; \
  javac --release 17 -nowarn -encoding UTF-8 -d /classes -classpath '/flink-lib/*' \
    $(find /formats/java -name '*.java'); \
  cp -r /formats/resources/. /classes/; \
  jar --create --file /riffle-formats.jar --no-manifest -C /classes .

FROM flink
ARG FLINK_VERSION
ARG FLINK_KAFKA_CONNECTOR_VERSION=5.0.0-2.2
ARG FLINK_KAFKA_CONNECTOR_SHA256=5605c691d11a501382c383fecba37a7a552467da5ab7ba904ef5d6f3d62c5616
ARG FLINK_AVRO_CONFLUENT_SHA256=dc331e14107ded6e07f5f77321aa06d8019aa9f33654d0658e49648409b5b80d
ARG MAVEN_CENTRAL=https://repo.maven.apache.org/maven2

# as the image's `flink` user, who owns /opt/flink (wget comes with the base image); file systems are
# plugins with their own class loader: the S3 one shipped in opt/ is enabled by linking it into plugins/.
# /opt/flink/data: a flink-owned place for file:// checkpoints on a mounted volume (deploy/compose).
RUN set -eu; \
  fetch() { \
    wget -nv -O "/opt/flink/lib/$(basename "$1")" "${MAVEN_CENTRAL}/$1"; \
    echo "$2  /opt/flink/lib/$(basename "$1")" | sha256sum -c -; \
  }; \
  fetch "org/apache/flink/flink-sql-connector-kafka/${FLINK_KAFKA_CONNECTOR_VERSION}/flink-sql-connector-kafka-${FLINK_KAFKA_CONNECTOR_VERSION}.jar" \
    "${FLINK_KAFKA_CONNECTOR_SHA256}"; \
  fetch "org/apache/flink/flink-sql-avro-confluent-registry/${FLINK_VERSION}/flink-sql-avro-confluent-registry-${FLINK_VERSION}.jar" \
    "${FLINK_AVRO_CONFLUENT_SHA256}"; \
  mkdir -p /opt/flink/plugins/s3-fs-presto; \
  ln -s "/opt/flink/opt/flink-s3-fs-presto-${FLINK_VERSION}.jar" /opt/flink/plugins/s3-fs-presto/; \
  test -f "/opt/flink/plugins/s3-fs-presto/flink-s3-fs-presto-${FLINK_VERSION}.jar"; \
  test -x /opt/flink/bin/sql-gateway.sh; \
  mkdir -p /opt/flink/data

COPY --from=formats --chown=flink:flink /riffle-formats.jar /opt/flink/lib/riffle-formats.jar

USER flink
# JobManager RPC, blob server, REST / web UI, SQL Gateway REST
EXPOSE 6123 6124 8081 8083
