package dev.quarry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.app.PlanResult;
import dev.quarry.app.PlanRun;
import dev.quarry.manifest.ManifestReader;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.PlaybookLoader;
import dev.quarry.query.QueryEngine;
import dev.quarry.query.embedded.EmbeddedEngine;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.S3Servers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Keys travel byte for byte from the bucket into both tables and on into a manifest. S3Mock stores
 * every key below, including the characters URL and CSV code often mangle, and a key of the maximum
 * 1,024 bytes. The random keys are drawn with a fixed seed so a failure replays.
 */
class MetadataKeysIT {
  private static final String UNUSUAL = " +%,\"'&?=#:;@!$()[]{}<>|\\^`~*ÄéøßЖ中文日本語é\u00a0\t";

  @TempDir Path stateDir;

  private final S3Client s3 = S3Servers.client(S3Servers.s3mock());

  @Test
  void keysRoundTripExactly() {
    // given
    String bucket = S3Servers.createVersionedBucket(s3, "keys");
    Set<String> keys = new LinkedHashSet<>();
    keys.addAll(
        List.of(
            "a b.txt",
            "a+b.txt",
            "100%.txt",
            "x,y,z.csv",
            "\"quoted\" and 'single'",
            "naïve/Ünïcödé/日本語/😀.bin",
            "trailing space ",
            "tab\there",
            "dir//double/slash",
            "k".repeat(1024 - 4) + "😀"));
    Random random = new Random(20260601);
    int[] pool = (UNUSUAL + "abcxyz/😀").codePoints().toArray();
    while (keys.size() < 30) {
      StringBuilder key = new StringBuilder();
      for (int i = 0, n = 1 + random.nextInt(30); i < n; i++) {
        key.appendCodePoint(pool[random.nextInt(pool.length)]);
      }
      keys.add(key.toString());
    }
    assertThat(keys).anyMatch(k -> k.getBytes(StandardCharsets.UTF_8).length == 1024);
    for (String key : keys) {
      s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("x"));
    }

    // when
    new MetadataRefresher(
            new Warehouse(stateDir.resolve("warehouse")), s3, "s3mock", Clock.systemUTC())
        .refresh(bucket, 4, RefreshProgress.NONE);

    // then
    assertThat(keysIn(bucket, "inventory")).containsExactlyInAnyOrderElementsOf(keys);
    assertThat(keysIn(bucket, "journal")).containsExactlyInAnyOrderElementsOf(keys);
    // in S3's order (UTF-8 bytes) within the file, as an import writes it: row groups then hold
    // key ranges that prefix queries skip
    List<String> inFileOrder = new ArrayList<>();
    ParquetRows.query(
            "SELECT key FROM read_parquet("
                + ParquetRows.path(
                    stateDir
                        .resolve("warehouse")
                        .resolve("b_" + bucket)
                        .resolve("inventory/*.parquet"))
                + ", file_row_number = true) ORDER BY file_row_number")
        .forEach(r -> inFileOrder.add((String) r.get("key")));
    assertThat(inFileOrder)
        .hasSize(keys.size())
        .isSortedAccordingTo(MetadataRefresher::compareUtf8);

    // and when a playbook selects them all, its manifest decodes to exactly the same keys
    Playbook playbook =
        new PlaybookLoader()
            .load(
                stateDir.resolve("all.yaml"),
                """
                name: all-keys
                query: SELECT bucket, key, version_id FROM inventory
                action: { type: put-tags, tags: { seen: "yes" } }
                """)
            .orThrow();
    PlanResult plan;
    try (QueryEngine engine =
        new EmbeddedEngine(new Warehouse(stateDir.resolve("warehouse")), Optional.of(bucket))) {
      plan =
          new PlanRun(engine, stateDir.resolve("manifests"), Clock.systemUTC())
              .plan(playbook, Map.of());
    }
    List<String> inManifest = new ArrayList<>();
    ManifestReader.read(Path.of(plan.manifest().file()), row -> inManifest.add(row.key()));
    assertThat(inManifest).containsExactlyInAnyOrderElementsOf(keys);
  }

  /** The servers and the keys each can store and list. */
  static Stream<Arguments> servers() {
    List<String> both =
        List.of(
            "cr\rhere",
            "two\r\rcr",
            "tab\there",
            "a b",
            "a+b",
            "+",
            "%2B and %20",
            "100%",
            "%",
            "mixed \r+%\t😀/𝄞",
            "😀");
    List<String> s3mockOnly = new ArrayList<>(both);
    // moto refuses a PUT of a key with LF (404), and cannot list keys with U+0001
    s3mockOnly.addAll(List.of("crlf\r\nhere", "lf\nhere", "lf\n\rboth", "one\u0001here", "\u0001"));
    return Stream.of(
        Arguments.of("s3mock", S3Servers.s3mock(), s3mockOnly),
        Arguments.of("moto", S3Servers.moto(), both));
  }

  @ParameterizedTest(
      name = "{0}",
      autoCloseArguments = false) // the servers are shared by the whole test JVM
  @MethodSource("servers")
  void keysWithControlCharactersSpacesPlusAndPercentRoundTrip(
      String name, LocalS3Server server, List<String> keys) {
    // given: two versions of each key, then a delete marker on one
    S3Client client = S3Servers.client(server);
    String bucket = S3Servers.createVersionedBucket(client, "ctl");
    for (String key : keys) {
      client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("1"));
      client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("2"));
    }

    // when
    RefreshSummary summary =
        new MetadataRefresher(
                new Warehouse(stateDir.resolve("warehouse")), client, name, Clock.systemUTC())
            .refresh(bucket, 4, RefreshProgress.NONE);

    // then: every version of every key, byte for byte, in both tables
    assertThat(summary.vanished()).isZero();
    List<String> twice = new ArrayList<>(keys);
    twice.addAll(keys);
    assertThat(keysIn(bucket, "inventory")).containsExactlyInAnyOrderElementsOf(twice);
    assertThat(keysIn(bucket, "journal")).containsExactlyInAnyOrderElementsOf(twice);
  }

  private List<String> keysIn(String bucket, String table) {
    Path dir = stateDir.resolve("warehouse").resolve("b_" + bucket).resolve(table);
    List<String> keys = new ArrayList<>();
    ParquetRows.query(
            "SELECT key FROM read_parquet(" + ParquetRows.path(dir.resolve("*.parquet")) + ")")
        .forEach(r -> keys.add((String) r.get("key")));
    return keys;
  }
}
