package io.riffle.sqlanalyzer;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

/** Runs every path once on the calling worker thread, so the first real request does not pay for class loading. */
final class Warmup {
    private Warmup() {}

    private static final String[] STATEMENTS = {
        "SELECT a, COUNT(*) FROM t /*+ OPTIONS('scan.startup.mode' = 'latest-offset') */ WHERE b > 1 GROUP BY a",
        "INSERT INTO s SELECT * FROM t JOIN u ON t.id = u.id",
        "CREATE TABLE x (a INT, b AS a + 1, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) WITH ('k' = 'v')",
        "SET 'a' = 'b'",
        "SELECT 1 +",
    };

    static void run(StatementAnalyzer analyzer, StatementValidator validator, ObjectMapper json) {
        for (int round = 0; round < 20; round++)
            for (String statement : STATEMENTS) analyzer.analyze(statement, null);
        ObjectNode request = json.createObjectNode();
        request.put("statement", "SELECT id, COUNT(*) AS n FROM warm.db.t GROUP BY id");
        request.putArray("setup")
                .add("CREATE CATALOG `warm` WITH ('type' = 'generic_in_memory')")
                .add("CREATE DATABASE `warm`.`db`")
                .add("CREATE TABLE `warm`.`db`.`t` (id BIGINT, v STRING, ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL, "
                        + "WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH ('connector' = 'kafka', 'topic' = 't', "
                        + "'properties.bootstrap.servers' = '127.0.0.1:1', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')");
        request.put("explain", true);
        for (int round = 0; round < 3; round++) validator.validate(request);
    }
}
