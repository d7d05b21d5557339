package dev.quarry.playbook;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.error.Problem;
import dev.quarry.error.ProblemsException;
import dev.quarry.query.MetadataTable;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class PlaybookLoaderTest {
  private static final Path FILE = Path.of("playbooks", "bad.yaml");
  private static final String F = FILE.toString();

  private final PlaybookLoader loader = new PlaybookLoader();

  private LoadResult load(String yaml) {
    return loader.load(FILE, yaml);
  }

  @Test
  void theDesignSketchLoadsIntoTheExpectedPlaybook() throws Exception {
    // given
    Path file = Path.of(getClass().getResource("restore-rainy-training.yaml").toURI());

    // when
    LoadResult result = loader.load(file);

    // then
    ObjectNode options =
        (ObjectNode)
            new ObjectMapper().readTree("{\"type\":\"restore\",\"days\":5,\"tier\":\"BULK\"}");
    assertThat(result.problems()).isEmpty();
    assertThat(result.playbook())
        .contains(
            new Playbook(
                file,
                "restore-rainy-training",
                "Restore rainy-weather training images from Glacier for five days",
                Optional.of(new Schedule("0 0 6 * * ?", ZoneOffset.UTC)),
                """
                SELECT bucket, key, version_id
                FROM "s3tablescatalog/aws-s3"."b_starwatcher"."inventory"
                WHERE storage_class IN ('GLACIER', 'DEEP_ARCHIVE')
                  AND element_at(object_tags, 'weather') = :weather
                  AND element_at(object_tags, 'category') = 'training'
                """,
                Map.of(
                    "weather",
                    new ParameterSpec("weather", ParameterType.STRING, Optional.of("rain"), "")),
                Optional.of(new ActionSpec("restore", options)),
                new Limits(OptionalLong.of(100000), Limits.Confirm.REQUIRED),
                new ReportSpec(ReportSpec.Scope.ALL)));
  }

  @Test
  void defaultsApplyWhereThePlaybookIsSilent() {
    // given a destructive action, a parameter without default and a schedule with a time zone
    String yaml =
        """
        name: undelete
        schedule: { cron: "0 30 2 ? * MON-FRI", timezone: Europe/Paris }
        query: SELECT bucket, key, version_id FROM journal WHERE record_timestamp >= :since
        parameters:
          since: { type: timestamp, description: first deletion to undo }
        action: { type: rollback-deletes }
        limits: { max-objects: 10 }
        """;

    // when
    Playbook playbook = load(yaml).orThrow();

    // then
    assertThat(playbook.description()).isEmpty();
    assertThat(playbook.schedule())
        .contains(new Schedule("0 30 2 ? * MON-FRI", ZoneId.of("Europe/Paris")));
    assertThat(playbook.parameters().get("since"))
        .isEqualTo(
            new ParameterSpec(
                "since", ParameterType.TIMESTAMP, Optional.empty(), "first deletion to undo"));
    assertThat(playbook.limits())
        .isEqualTo(new Limits(OptionalLong.of(10), Limits.Confirm.REQUIRED));
    assertThat(playbook.report()).isEqualTo(new ReportSpec(ReportSpec.Scope.ALL));
  }

  @Test
  void confirmationDefaultsToNoneForAnActionThatLosesNothing() {
    // given
    String yaml =
        """
        name: tag
        query: SELECT bucket, key FROM inventory
        action: { type: put-tags, tags: { retention: long } }
        report: { scope: failed }
        """;

    // when
    Playbook playbook = load(yaml).orThrow();

    // then
    assertThat(playbook.limits()).isEqualTo(new Limits(OptionalLong.empty(), Limits.Confirm.NONE));
    assertThat(playbook.report().scope()).isEqualTo(ReportSpec.Scope.FAILED);
  }

  @Test
  void parameterDefaultsAreConvertedToTheirType() {
    // given
    String yaml =
        """
        name: typed
        query: SELECT bucket, key FROM t WHERE a = :a AND b = :b AND c = :c AND d = :d
        parameters:
          a: { type: integer, default: 42 }
          b: { type: boolean, default: true }
          c: { type: date, default: 2026-11-01 }
          d: { type: timestamp, default: "2026-11-01T10:00:00+01:00" }
        action: { type: delete-tags }
        """;

    // when
    Map<String, ParameterSpec> parameters = load(yaml).orThrow().parameters();

    // then
    assertThat(parameters.get("a").defaultValue()).contains(42L);
    assertThat(parameters.get("b").defaultValue()).contains(true);
    assertThat(parameters.get("c").defaultValue()).contains(java.time.LocalDate.of(2026, 11, 1));
    assertThat(parameters.get("d").defaultValue()).contains(LocalDateTime.of(2026, 11, 1, 9, 0));
  }

  @Test
  void aYamlSyntaxErrorIsOneProblemWhereTheParserStopped() {
    // given a flow mapping that is never closed
    String yaml =
        """
        name: restore-rainy
        query: SELECT bucket, key FROM inventory
        action: { type: restore, days: 5
        limits: { max-objects: 10 }
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.playbook()).isEmpty();
    assertThat(result.problems()).hasSize(1);
    Problem problem = result.problems().get(0);
    assertThat(problem.file()).isEqualTo(F);
    assertThat(problem.line()).isEqualTo(4);
    assertThat(problem.column()).isEqualTo(7);
    assertThat(problem.path()).isEmpty();
    assertThat(problem.message()).startsWith("YAML syntax error: expected ',' or '}'");
  }

  @Test
  void anUnknownTopLevelFieldIsReportedAtItsKeyWithTheValidOnes() {
    // given
    String yaml =
        """
        name: restore-rainy
        query: SELECT bucket, key FROM inventory
        acton: { type: restore, days: 5 }
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .containsExactly(
            new Problem(
                F,
                3,
                1,
                "acton",
                "unknown field 'acton'; valid: name, description, schedule, incremental, bucket,"
                    + " metadata, query, parameters, action, then, revert, limits, report"));
  }

  @Test
  void theBucketAndMetadataOverridesLoadAndSayWhereTheQueryReads() {
    // given
    String yaml =
        """
        name: audit
        bucket: starwatcher
        metadata: { namespace: b_starwatcher, journal-table: journal_v1 }
        query: SELECT bucket, key FROM journal
        """;

    // when
    Playbook playbook = load(yaml).orThrow();

    // then
    assertThat(playbook.bucket()).contains("starwatcher");
    assertThat(playbook.metadata())
        .isEqualTo(
            new MetadataOverrides(
                Optional.of("b_starwatcher"), Optional.of("journal_v1"), Optional.empty()));
    assertThat(playbook.target().reads()).containsExactly(MetadataTable.JOURNAL);
    assertThat(playbook.target().namespace()).contains("b_starwatcher");
  }

  @Test
  void aBadBucketNameAndAnUnknownMetadataOptionAreReportedWhereWritten() {
    // given
    String yaml =
        """
        name: audit
        bucket: Star_Watcher
        metadata:
          schema: b_x
        query: SELECT bucket, key FROM journal
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .containsExactly(
            new Problem(
                F,
                2,
                9,
                "bucket",
                "must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens,"
                    + " starting and ending with a letter or digit"),
            new Problem(
                F,
                4,
                3,
                "metadata.schema",
                "unknown field 'schema'; valid: namespace, journal-table, inventory-table"));
  }

  @Test
  void anUnknownActionOptionIsReportedAtItsKeyWithTheActionsOptions() {
    // given
    String yaml =
        """
        name: restore-rainy
        query: SELECT bucket, key FROM inventory
        action:
          type: restore
          days: 5
          speed: fast
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .containsExactly(
            new Problem(
                F,
                6,
                3,
                "action.speed",
                "unknown field 'speed'; valid: type, archive, days, tier"));
  }

  @Test
  void aRestoreMayHaveAFollowUpStepWhichMakesTheRunNeedAConfirmationWhenDestructive() {
    // given
    String yaml =
        """
        name: restore-then-keep
        query: SELECT bucket, key FROM inventory
        action:
          type: restore
          days: 5
        then:
          type: reencrypt
          sse: AES256
          storage-class: STANDARD
        limits:
          max-objects: 10
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems()).isEmpty();
    Playbook playbook = result.playbook().orElseThrow();
    assertThat(playbook.then().orElseThrow().type()).isEqualTo("reencrypt");
    assertThat(playbook.then().orElseThrow().options().path("storage-class").asText())
        .isEqualTo("STANDARD");
    assertThat(playbook.limits().confirm()).isEqualTo(Limits.Confirm.REQUIRED);
  }

  @Test
  void aFollowUpStepIsRefusedAfterAnythingButARestoreAndItsOptionsAreChecked() {
    // given
    String afterTags =
        """
        name: tags-then
        query: SELECT bucket, key FROM inventory
        action:
          type: delete-tags
        then:
          type: reencrypt
          sse: AES256
        limits:
          max-objects: 10
        """;
    String badOption =
        """
        name: restore-then
        query: SELECT bucket, key FROM inventory
        action:
          type: restore
          days: 5
        then:
          type: reencrypt
          sse: DES
        limits:
          max-objects: 10
        """;

    // when / then
    assertThat(load(afterTags).problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("then");
              assertThat(p.line()).isEqualTo(5);
              assertThat(p.message()).contains("follows only a restore");
            });
    assertThat(load(badOption).problems())
        .isNotEmpty()
        .allSatisfy(p -> assertThat(p.path()).startsWith("then"));
  }

  @Test
  void aFollowUpCopyOfRestoredObjectsMustNameItsStorageClass() {
    // given: without one, AWS makes the copies STANDARD and the local task would keep GLACIER
    String yaml =
        """
        name: restore-then-copy
        query: SELECT bucket, key FROM inventory
        action:
          type: restore
          days: 5
        then:
          type: reencrypt
          sse: AES256
        limits:
          max-objects: 10
        """;

    // when / then
    assertThat(load(yaml).problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("then");
              assertThat(p.message()).contains("must name their storage-class");
            });
    assertThat(
            load(yaml.replace("sse: AES256", "sse: AES256\n  storage-class: STANDARD")).problems())
        .isEmpty();
  }

  @Test
  void aRevertPlaybookNamesItsBucketAndLimitAndNoQueryAndItsTimeHasAnOffset() {
    // given
    String good =
        """
        name: revert-photos
        bucket: photos
        revert: { to: "2026-11-30T12:00:00Z", prefix: camera/ }
        limits: { max-objects: 10 }
        """;
    String bad =
        """
        name: revert-photos
        query: SELECT bucket, key FROM inventory
        revert: { to: "2026-11-30T12:00:00" }
        """;

    // when
    LoadResult loaded = load(good);

    // then
    assertThat(loaded.problems()).isEmpty();
    Playbook playbook = loaded.playbook().orElseThrow();
    assertThat(playbook.revert().orElseThrow().to())
        .isEqualTo(java.time.Instant.parse("2026-11-30T12:00:00Z"));
    assertThat(playbook.revert().orElseThrow().prefix()).contains("camera/");
    assertThat(playbook.limits().confirm()).isEqualTo(Limits.Confirm.REQUIRED);
    assertThat(load(bad).problems())
        .extracting(Problem::message)
        .anySatisfy(m -> assertThat(m).contains("remove query:"))
        .anySatisfy(m -> assertThat(m).contains("needs the playbook's bucket"))
        .anySatisfy(m -> assertThat(m).contains("set limits.max-objects"))
        .anySatisfy(m -> assertThat(m).contains("write it in UTC"));
  }

  @Test
  void aValueOfTheWrongTypeIsReportedAtTheValue() {
    // given
    String yaml =
        """
        name: restore-rainy
        query: SELECT bucket, key FROM inventory
        action:
          type: restore
          days: five
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .containsExactly(
            new Problem(F, 5, 9, "action.days", "expected integer, got string 'five'"));
  }

  @Test
  void anUnknownActionListsTheValidOnes() {
    // given
    String yaml =
        """
        name: restore-rainy
        query: SELECT bucket, key FROM inventory
        action:
          type: thaw
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .containsExactly(
            new Problem(
                F,
                4,
                9,
                "action.type",
                "unknown action 'thaw'; valid: restore, reencrypt, rollback-deletes,"
                    + " revert-to-version, hide-keys, put-tags, delete-tags, legal-hold, retention,"
                    + " compute-checksum, replicate"));
  }

  @Test
  void aConditionalOptionRuleSaysWhy() {
    // given days, which intelligent-tiering restores must not set
    String yaml =
        """
        name: restore-it
        query: SELECT bucket, key FROM inventory
        action:
          type: restore
          archive: intelligent-tiering
          days: 3
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .containsExactly(
            new Problem(
                F, 6, 9, "action.days", "must not be set when archive is intelligent-tiering"));
  }

  @Test
  void aQueryAthenaCannotParseIsRefusedAtItsFileLine() {
    // given a DuckDB-only cast on the third line of the query, the fifth of the file
    String yaml =
        """
        name: big-ones
        query: |
          SELECT bucket, key
          FROM inventory
          WHERE size::BIGINT > 0
        action: { type: restore, days: 1 }
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(5);
              assertThat(p.column()).isEqualTo(13);
              assertThat(p.message()).contains("mismatched input ':'").contains("Athena");
            });
  }

  @Test
  void aStatementThatIsNotAQueryIsRefusedAtItsFileLine() {
    // given
    String yaml =
        """
        name: look
        query: |
          DESCRIBE inventory
        action: { type: restore, days: 1 }
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.line()).isEqualTo(3);
              assertThat(p.message()).contains("DESCRIBE statement");
            });
  }

  @Test
  void anUndeclaredParameterIsReportedOnTheQueryLineThatUsesIt() {
    // given :min_size on the fourth line of the query, the sixth of the file
    String yaml =
        """
        name: big-ones
        query: |
          SELECT bucket, key
          FROM inventory
          WHERE storage_class = 'GLACIER'
            AND size > :min_size
        action: { type: restore, days: 1 }
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .containsExactly(
            new Problem(
                F,
                6,
                16,
                "query",
                "parameter :min_size is not declared; declare it under parameters (e.g. min_size:"
                    + " { type: string })"));
  }

  @Test
  void aParameterInsideAStringLiteralOrCommentIsNotAUse() {
    // given
    String yaml =
        """
        name: literal
        query: |
          SELECT bucket, key FROM inventory -- not :here
          WHERE key = ':nor_here'
        action: { type: delete-tags }
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems()).isEmpty();
  }

  @Test
  void aDeclaredParameterTheQueryNeverUsesIsReportedAtItsName() {
    // given
    String yaml =
        """
        name: unused
        query: SELECT bucket, key FROM inventory WHERE size > :min_size
        parameters:
          min_size: { type: integer, default: 1024 }
          weather: { type: string }
        action: { type: delete-tags }
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .containsExactly(
            new Problem(
                F,
                5,
                3,
                "parameters.weather",
                "parameter 'weather' is declared but the query never uses :weather"));
  }

  @Test
  void aDefaultThatIsNotOfItsTypeIsReportedAtTheDefault() {
    // given
    String yaml =
        """
        name: bad-default
        query: SELECT bucket, key FROM inventory WHERE size > :min_size
        parameters:
          min_size: { type: integer, default: big }
        action: { type: delete-tags }
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .containsExactly(
            new Problem(
                F,
                4,
                39,
                "parameters.min_size.default",
                "not a valid integer: 'big' is not an integer"));
  }

  @Test
  void aBadCronExpressionIsReportedAtTheSchedule() {
    // given
    String yaml =
        """
        name: nightly
        schedule: "0 0 25 * * ?"
        query: SELECT bucket, key FROM inventory
        action: { type: delete-tags }
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .singleElement()
        .satisfies(
            problem -> {
              assertThat(problem.file()).isEqualTo(F);
              assertThat(problem.line()).isEqualTo(2);
              assertThat(problem.column()).isEqualTo(11);
              assertThat(problem.path()).isEqualTo("schedule");
              assertThat(problem.message())
                  .startsWith("invalid Quartz cron expression '0 0 25 * * ?': Hour values must be");
            });
  }

  @Test
  void aBadTimeZoneIsReportedAtTheTimeZone() {
    // given
    String yaml =
        """
        name: nightly
        schedule:
          cron: "0 0 6 * * ?"
          timezone: Mars/Olympus_Mons
        query: SELECT bucket, key FROM inventory
        action: { type: delete-tags }
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .containsExactly(
            new Problem(
                F,
                4,
                13,
                "schedule.timezone",
                "unknown time zone 'Mars/Olympus_Mons'; use an IANA name such as UTC, Europe/Paris"
                    + " or America/New_York"));
  }

  @Test
  void aDestructiveActionWithoutMaxObjectsIsRefused() {
    // given
    String yaml =
        """
        name: revert
        query: SELECT bucket, key, version_id FROM journal
        action:
          type: revert-to-version
        limits:
          confirm: required
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .containsExactly(
            new Problem(
                F,
                5,
                1,
                "limits.max-objects",
                "action 'revert-to-version' is destructive: set limits.max-objects, the most"
                    + " objects one run may change"));
  }

  @Test
  void aDestructiveActionWithoutLimitsIsReportedAtItsType() {
    // given
    String yaml =
        """
        name: revert
        query: SELECT bucket, key, version_id FROM journal
        action:
          type: revert-to-version
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .extracting(Problem::line, Problem::column, Problem::path)
        .containsExactly(Assertions.tuple(4, 9, "limits.max-objects"));
  }

  @Test
  void aDuplicateKeyIsReportedWhereItIsRepeated() {
    // given
    String yaml =
        """
        name: one
        query: SELECT bucket, key FROM inventory
        action: { type: delete-tags }
        name: two
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.problems())
        .containsExactly(new Problem(F, 4, 1, "name", "duplicate field 'name' (first at line 1)"));
  }

  @Test
  void aPlaybookWithManyProblemsReportsAllOfThemInFileOrder() {
    // given
    String yaml =
        """
        name: Restore_Rainy
        schedule: { cron: "every day", timezone: Mars/Base }
        query: |
          SELECT bucket, key
          FROM inventory
          WHERE element_at(object_tags, 'weather') = :weather
            AND size > :min_size
        parameters:
          weather: { type: string, default: rain }
          unused: { type: integer, default: five }
        action:
          type: restore
          days: five
          speed: fast
        limits:
          max-objects: 0
        owner: me
        """;

    // when
    LoadResult result = load(yaml);

    // then
    assertThat(result.playbook()).isEmpty();
    assertThat(result.problems())
        .extracting(Problem::line, Problem::column, Problem::path)
        .containsExactly(
            Assertions.tuple(1, 7, "name"),
            Assertions.tuple(2, 19, "schedule.cron"),
            Assertions.tuple(2, 42, "schedule.timezone"),
            Assertions.tuple(7, 16, "query"),
            Assertions.tuple(10, 3, "parameters.unused"),
            Assertions.tuple(10, 37, "parameters.unused.default"),
            Assertions.tuple(13, 9, "action.days"),
            Assertions.tuple(14, 3, "action.speed"),
            Assertions.tuple(16, 16, "limits.max-objects"),
            Assertions.tuple(17, 1, "owner"));
  }

  @Test
  void aMissingFileIsAProblemNotACrash() {
    // given
    Path missing = Path.of("does", "not", "exist.yaml");

    // when
    LoadResult result = loader.load(missing);

    // then
    assertThat(result.problems())
        .containsExactly(new Problem(missing.toString(), 0, 0, "", "no such file"));
  }

  @Test
  void orThrowCarriesEveryProblem() {
    // given
    LoadResult result = load("name: x\n");

    // when
    Throwable thrown = Assertions.catchThrowable(result::orThrow);

    // then
    assertThat(thrown)
        .isInstanceOfSatisfying(
            ProblemsException.class, e -> assertThat(e.problems()).isEqualTo(result.problems()));
  }
}
