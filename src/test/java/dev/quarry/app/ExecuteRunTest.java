package dev.quarry.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quarry.error.QuarryException;
import dev.quarry.job.BatchJobs;
import dev.quarry.job.JobRecord;
import dev.quarry.job.JobRequest;
import dev.quarry.job.JobStatus;
import dev.quarry.job.ProgressListener;
import dev.quarry.playbook.ActionSpec;
import dev.quarry.playbook.Limits;
import dev.quarry.playbook.ParameterSpec;
import dev.quarry.playbook.ParameterType;
import dev.quarry.playbook.Playbook;
import dev.quarry.playbook.ReportSpec;
import dev.quarry.query.EnginePool;
import dev.quarry.query.ObjectRow;
import dev.quarry.report.ReportLocation;
import dev.quarry.run.RunPhase;
import dev.quarry.run.RunRecord;
import dev.quarry.run.RunStore;
import dev.quarry.testing.FakeQueryEngine;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecuteRunTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);

  @TempDir Path manifests;

  /** What happened, in order, across the store and the executor. */
  private final List<String> events = new ArrayList<>();

  private final RecordingStore store = new RecordingStore();

  private static final List<ObjectRow> TWO_OBJECTS =
      List.of(
          new ObjectRow("starwatcher", "camera/a.jpg", "v1", 100L, "GLACIER"),
          new ObjectRow("starwatcher", "camera/b.jpg", "v2", 50L, "GLACIER"));

  @Test
  void savesTheRunBeforeAndAfterEachRemoteStepAndEndsCompletedWithItsCounts() {
    // given
    FakeExecutor executor = new FakeExecutor(true);

    // when
    ExecuteRun.Outcome outcome =
        executeRun(executor, TWO_OBJECTS)
            .execute(
                restore(Limits.Confirm.NONE, 10),
                Map.of("weather", "snow"),
                true,
                Approval.NONE,
                RunListener.NONE);

    // then
    assertThat(events)
        .containsExactly(
            "save PLANNED", "submit", "save SUBMITTED", "follow", "save RUNNING", "save COMPLETED");
    RunRecord run = store.find(outcome.plan().runId()).orElseThrow();
    assertThat(run.phase()).isEqualTo(RunPhase.COMPLETED);
    assertThat(run.jobIds()).containsExactly("job-1");
    assertThat(run.counts()).isEqualTo(new RunRecord.Counts(2, 2, 0));
    assertThat(run.parameters()).containsExactly(Map.entry("weather", "snow"));
    assertThat(run.manifest().orElseThrow().rows()).isEqualTo(2);
    assertThat(run.report()).contains(Path.of("rep", "job-job-1", "manifest.json").toString());
    assertThat(run.approvedBy()).isEmpty();
  }

  @Test
  void theRunRecordsTheIdsOfTheQueriesItsManifestCameFrom() {
    // given: an engine that names its queries, as Athena does
    FakeQueryEngine engine =
        FakeQueryEngine.returning(List.of("bucket", "key", "version_id"), TWO_OBJECTS);
    engine.billed = true;

    // when
    ExecuteRun.Outcome outcome =
        new ExecuteRun(
                () -> EnginePool.of(engine),
                new FakeExecutor(true),
                store,
                ReportReviews.NONE,
                row -> RestoredCopies.State.READABLE,
                java.time.Duration.ZERO,
                manifests,
                CLOCK)
            .execute(
                restore(Limits.Confirm.NONE, 10), Map.of(), true, Approval.NONE, RunListener.NONE);

    // then: every query the plan asked, in order
    assertThat(engine.asked).hasSizeGreaterThan(0);
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= engine.asked.size(); i++) {
      ids.add("q" + i);
    }
    assertThat(store.find(outcome.plan().runId()).orElseThrow().manifest().orElseThrow().queryIds())
        .containsExactlyElementsOf(ids);
  }

  @Test
  void aLimitRefusesTheRunSubmitsNothingAndRecordsWhy() {
    // given
    FakeExecutor executor = new FakeExecutor(true);

    // when / then
    assertThatThrownBy(
            () ->
                executeRun(executor, TWO_OBJECTS)
                    .execute(
                        restore(Limits.Confirm.NONE, 1),
                        Map.of(),
                        true,
                        Approval.YES,
                        RunListener.NONE))
        .isInstanceOf(QuarryException.class)
        .hasMessageStartingWith("refusing to run restore-test: ");
    assertThat(events).containsExactly("save REFUSED");
    RunRecord run = store.runs.values().iterator().next();
    assertThat(run.failureReason().orElseThrow()).startsWith("refusing to run restore-test");
  }

  @Test
  void aCopyOfAnObjectOver5GbIsRefusedBeforeAnythingIsSubmitted() {
    // given: a re-encryption whose query selects a 6 GB object
    FakeExecutor executor = new FakeExecutor(true);
    List<ObjectRow> rows =
        List.of(
            new ObjectRow("starwatcher", "camera/a.jpg", "v1", 100L, "STANDARD"),
            new ObjectRow("starwatcher", "video/big.mp4", "v2", 6L << 30, "STANDARD"));
    ObjectNode options =
        JsonNodeFactory.instance.objectNode().put("type", "reencrypt").put("sse", "AES256");
    Playbook playbook =
        new Playbook(
            Path.of("playbooks/reencrypt-test.yaml"),
            "reencrypt-test",
            "test",
            Optional.empty(),
            "SELECT bucket, key, version_id FROM inventory",
            Map.of(),
            Optional.of(new ActionSpec("reencrypt", options)),
            new Limits(OptionalLong.of(10), Limits.Confirm.NONE),
            new ReportSpec(ReportSpec.Scope.ALL));

    // when / then: refused with the count, the limit and what to do; no job
    assertThatThrownBy(
            () ->
                executeRun(executor, rows)
                    .execute(playbook, Map.of(), true, Approval.YES, RunListener.NONE))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("1 object is over 5 GB")
        .hasMessageContaining("video/big.mp4")
        .hasMessageContaining("multipart copy");
    assertThat(events).containsExactly("save REFUSED");
    assertThat(executor.tokens).isEmpty();
  }

  @Test
  void aGivenManifestRunsWithoutTheQueryAndIsRecordedAsTheRetryOfItsOrigin() {
    // given: a manifest of two tasks, and an engine that must not be asked
    FakeExecutor executor = new FakeExecutor(true);
    Path given = manifestOf(TWO_OBJECTS);
    ExecuteRun execute =
        new ExecuteRun(
            () -> {
              throw new AssertionError("a given manifest needs no query engine");
            },
            executor,
            store,
            ReportReviews.NONE,
            row -> RestoredCopies.State.READABLE,
            java.time.Duration.ZERO,
            manifests,
            CLOCK);

    // when
    ExecuteRun.Outcome outcome =
        execute.executeOn(
            restore(Limits.Confirm.NONE, 10),
            List.of(
                new PlanRun.GivenStep(
                    restore(Limits.Confirm.NONE, 10).action().get(), given, Optional.empty())),
            Map.of("weather", "snow"),
            "embedded",
            "origin-1",
            true,
            Approval.NONE,
            RunListener.NONE);

    // then
    RunRecord run = store.find(outcome.plan().runId()).orElseThrow();
    assertThat(run.retryOf()).contains("origin-1");
    assertThat(run.phase()).isEqualTo(RunPhase.COMPLETED);
    assertThat(run.engine()).isEqualTo("embedded");
    assertThat(run.manifest().orElseThrow().rows()).isEqualTo(2);
    assertThat(Path.of(run.manifest().orElseThrow().location()))
        .startsWith(manifests.resolve("restore-test"))
        .isNotEqualTo(given);
    assertThat(events)
        .containsExactly(
            "save PLANNED", "submit", "save SUBMITTED", "follow", "save RUNNING", "save COMPLETED");
  }

  @Test
  void aGivenManifestOverTheLimitIsRefusedAsAQuerysWouldBe() {
    // given
    FakeExecutor executor = new FakeExecutor(true);
    Path given = manifestOf(TWO_OBJECTS);

    // when / then
    assertThatThrownBy(
            () ->
                executeRun(executor, List.of())
                    .executeOn(
                        restore(Limits.Confirm.NONE, 1),
                        List.of(
                            new PlanRun.GivenStep(
                                restore(Limits.Confirm.NONE, 1).action().get(),
                                given,
                                Optional.empty())),
                        Map.of(),
                        "embedded",
                        "origin-1",
                        true,
                        Approval.YES,
                        RunListener.NONE))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("over limits.max-objects 1");
    assertThat(events).containsExactly("save REFUSED");
    assertThat(store.runs.values().iterator().next().retryOf()).contains("origin-1");
  }

  private Path manifestOf(List<ObjectRow> rows) {
    Path file = manifests.resolve("given.csv");
    try (dev.quarry.manifest.ManifestWriter writer =
        dev.quarry.manifest.ManifestWriter.open(file, true)) {
      rows.forEach(writer::write);
      writer.finish();
    }
    return file;
  }

  @Test
  void anExecutorThatRefusesEmptyManifestsGetsNothingSubmitted() {
    // given
    FakeExecutor executor = new FakeExecutor(false);

    // when
    ExecuteRun.Outcome outcome =
        executeRun(executor, List.of())
            .execute(
                restore(Limits.Confirm.NONE, 10), Map.of(), true, Approval.YES, RunListener.NONE);

    // then
    assertThat(outcome.job()).isEmpty();
    assertThat(events).containsExactly("save PLANNED", "save COMPLETED");
  }

  @Test
  void anApprovalIsRecordedBeforeTheJobIsConfirmed() {
    // given
    FakeExecutor executor = new FakeExecutor(true);

    // when
    ExecuteRun.Outcome outcome =
        executeRun(executor, TWO_OBJECTS)
            .execute(
                restore(Limits.Confirm.REQUIRED, 10),
                Map.of(),
                true,
                request -> Optional.of("tester"),
                RunListener.NONE);

    // then
    assertThat(events)
        .containsSubsequence(
            "save approved by tester",
            "submit",
            "save AWAITING_APPROVAL",
            "confirm",
            "save SUBMITTED",
            "follow",
            "save COMPLETED");
    assertThat(outcome.run().approvedBy()).contains("tester");
  }

  @Test
  void aDeclinedApprovalLeavesTheRunAwaitingIt() {
    // given
    FakeExecutor executor = new FakeExecutor(true);

    // when
    ExecuteRun.Outcome outcome =
        executeRun(executor, TWO_OBJECTS)
            .execute(
                restore(Limits.Confirm.REQUIRED, 10),
                Map.of(),
                true,
                Approval.NONE,
                RunListener.NONE);

    // then
    assertThat(outcome.job().orElseThrow().status()).isEqualTo(JobStatus.SUSPENDED);
    assertThat(store.find(outcome.plan().runId()).orElseThrow().phase())
        .isEqualTo(RunPhase.AWAITING_APPROVAL);
    assertThat(events).doesNotContain("confirm");
  }

  @Test
  void aRestoreWithAFollowUpWaitsForTheRestoredCopiesAndCopiesOnlyThose() throws Exception {
    // given: a is restored after one more poll, b's restore never started
    FakeExecutor executor = new FakeExecutor(true);
    Map<String, List<RestoredCopies.State>> answers = new LinkedHashMap<>();
    answers.put(
        "camera/a.jpg",
        new ArrayList<>(List.of(RestoredCopies.State.IN_PROGRESS, RestoredCopies.State.READABLE)));
    answers.put("camera/b.jpg", new ArrayList<>(List.of(RestoredCopies.State.NOT_RESTORED)));
    RestoredCopies restores =
        row -> {
          List<RestoredCopies.State> left = answers.get(row.key());
          events.add("check " + row.key());
          return left.size() > 1 ? left.remove(0) : left.get(0);
        };
    ObjectNode copy =
        JsonNodeFactory.instance
            .objectNode()
            .put("type", "reencrypt")
            .put("sse", "AES256")
            .put("storage-class", "STANDARD");
    Playbook playbook = withThen(restore(Limits.Confirm.NONE, 10), copy);

    // when
    ExecuteRun.Outcome outcome =
        executeRun(executor, TWO_OBJECTS, restores)
            .execute(playbook, Map.of(), true, Approval.YES, RunListener.NONE);

    // then: two jobs, the second over a only, with its own token; b is reported
    RunRecord run = store.find(outcome.plan().runId()).orElseThrow();
    assertThat(run.phase()).isEqualTo(RunPhase.COMPLETED);
    assertThat(run.jobIds()).containsExactly("job-1", "job-2");
    assertThat(executor.tokens).containsExactly(run.id(), run.id() + "-2");
    assertThat(run.steps())
        .extracting(RunRecord.Step::action)
        .containsExactly("restore", "reencrypt");
    RunRecord.Step second = run.steps().get(1);
    assertThat(second.manifest().rows()).isEqualTo(1);
    assertThat(java.nio.file.Files.readString(Path.of(second.manifest().location())))
        .isEqualTo("starwatcher,camera/a.jpg\n");
    assertThat(second.note().orElseThrow()).contains("1 not restored");
    Path notReady = Path.of(second.manifest().location()).resolveSibling("not-ready.csv");
    assertThat(java.nio.file.Files.readString(notReady)).contains("camera/b.jpg,v2,NOT_RESTORED");
    assertThat(events)
        .containsSubsequence(
            "save WAITING", "check camera/a.jpg", "check camera/b.jpg", "check camera/a.jpg")
        .containsSubsequence(
            "save WAITING", "submit", "save SUBMITTED", "follow", "save COMPLETED");
    // the reencrypt step is destructive: the approval given up front confirmed it
    assertThat(executor.confirmed).containsExactly("job-2");
  }

  @Test
  void aFollowUpWithNoRestoredObjectSubmitsNothingAndFailsTheRunSayingWhy() {
    // given: no restore ever started
    FakeExecutor executor = new FakeExecutor(true);
    ObjectNode copy =
        JsonNodeFactory.instance
            .objectNode()
            .put("type", "reencrypt")
            .put("sse", "AES256")
            .put("storage-class", "STANDARD");

    // when
    ExecuteRun.Outcome outcome =
        executeRun(executor, TWO_OBJECTS, row -> RestoredCopies.State.NOT_RESTORED)
            .execute(
                withThen(restore(Limits.Confirm.NONE, 10), copy),
                Map.of(),
                true,
                Approval.YES,
                RunListener.NONE);

    // then
    assertThat(outcome.run().phase()).isEqualTo(RunPhase.FAILED);
    assertThat(outcome.run().failureReason().orElseThrow())
        .startsWith("no object is ready for step 2 (reencrypt)")
        .contains("2 not restored");
    assertThat(executor.tokens).containsExactly(outcome.run().id());
  }

  @Test
  void aSecondRunOfAPlaybookWhileOneHasNotEndedIsRefusedNamingIt() {
    // given: a run that waits for its approval
    FakeExecutor executor = new FakeExecutor(true);
    ExecuteRun.Outcome first =
        executeRun(executor, TWO_OBJECTS)
            .execute(
                restore(Limits.Confirm.REQUIRED, 10),
                Map.of(),
                true,
                Approval.NONE,
                RunListener.NONE);
    events.clear();

    // when / then: refused before the query runs, nothing saved or submitted
    assertThatThrownBy(
            () ->
                executeRun(executor, TWO_OBJECTS)
                    .execute(
                        restore(Limits.Confirm.REQUIRED, 10),
                        Map.of(),
                        true,
                        Approval.YES,
                        RunListener.NONE))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining(first.run().id())
        .hasMessageContaining("awaiting-approval")
        .hasMessageContaining("quarry resume " + first.run().id());
    assertThat(events).isEmpty();
  }

  @Test
  void aCopyInPlaceRunsOneJobPerBucketAndStorageClassEachKeepingItsClassAndLeavesOutArchived()
      throws Exception {
    // given: a re-encryption without a storage class, over two buckets and three classes
    FakeExecutor executor = new FakeExecutor(true);
    List<ObjectRow> rows =
        List.of(
            new ObjectRow("alpha", "a/1", null, 10L, "STANDARD_IA"),
            new ObjectRow("alpha", "a/2", null, 20L, "STANDARD"),
            new ObjectRow("beta", "b/1", null, 30L, "STANDARD_IA"),
            new ObjectRow("alpha", "a/3", null, 40L, "GLACIER"),
            new ObjectRow("alpha", "a/4", null, 50L, "STANDARD_IA"));
    Playbook playbook = reencrypt();

    // when
    ExecuteRun.Outcome outcome =
        executeRun(executor, rows, List.of("bucket", "key", "storage_class"))
            .execute(playbook, Map.of(), true, Approval.YES, RunListener.NONE);

    // then: one job per bucket and class, in order, each copy job naming its class
    PlanResult plan = outcome.plan();
    assertThat(plan.parts())
        .extracting(PlanResult.Part::name, PlanResult.Part::objects)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("alpha STANDARD", 1L),
            org.assertj.core.groups.Tuple.tuple("alpha STANDARD_IA", 2L),
            org.assertj.core.groups.Tuple.tuple("beta STANDARD_IA", 1L));
    assertThat(plan.leftOut())
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.storageClass()).isEqualTo("GLACIER");
              assertThat(l.objects()).isEqualTo(1);
            });
    assertThat(executor.requests)
        .extracting(
            r ->
                dev.quarry.action.ActionRegistry.create(r.action())
                    .jobOperation("alpha")
                    .s3PutObjectCopy()
                    .storageClassAsString())
        .containsExactly("STANDARD", "STANDARD_IA", "STANDARD_IA");
    assertThat(executor.requests)
        .extracting(r -> keys(r.manifest().file()))
        .containsExactly(List.of("a/2"), List.of("a/1", "a/4"), List.of("b/1"));
    assertThat(executor.tokens)
        .containsExactly(plan.runId(), plan.runId() + "-2", plan.runId() + "-3");
    RunRecord run = store.find(plan.runId()).orElseThrow();
    assertThat(run.phase()).isEqualTo(RunPhase.COMPLETED);
    assertThat(run.steps()).hasSize(3);
    assertThat(run.queued()).isEmpty();
    assertThat(run.jobIds()).containsExactly("job-1", "job-2", "job-3");
    // the archived object is listed for a restore, in no job
    assertThat(
            keys(
                manifests
                    .resolve(playbook.name())
                    .resolve(plan.runId())
                    .resolve("left-out/manifest.csv")))
        .containsExactly("a/3");
  }

  @Test
  void aCopyInPlaceOfObjectsOfUnknownStorageClassIsRefused() {
    // given: a query the engine cannot tell the classes of
    FakeExecutor executor = new FakeExecutor(true);
    List<ObjectRow> rows = List.of(new ObjectRow("alpha", "a/1", null, 10L, null));

    // then
    assertThatThrownBy(
            () ->
                executeRun(executor, rows, List.of("bucket", "key"))
                    .execute(reencrypt(), Map.of(), true, Approval.YES, RunListener.NONE))
        .isInstanceOf(QuarryException.class)
        .hasMessageContaining("no known storage class");
    assertThat(executor.requests).isEmpty();
  }

  private static List<String> keys(Path manifest) {
    List<String> keys = new ArrayList<>();
    dev.quarry.manifest.ManifestReader.read(manifest, row -> keys.add(row.key()));
    return keys;
  }

  @Test
  void aRetryOfARestoreAndItsFollowUpRetriesEachStepsFailuresWithThatStepsAction()
      throws Exception {
    // given: a restore-then-copy run whose two jobs each failed one task transiently
    Path file =
        java.nio.file.Files.writeString(
            manifests.resolve("thaw.yaml"),
            """
            name: thaw
            query: SELECT bucket, key FROM inventory
            action: { type: restore, days: 5, tier: BULK }
            then: { type: reencrypt, sse: AES256, storage-class: STANDARD }
            limits: { max-objects: 10 }
            """);
    Playbook playbook = new dev.quarry.playbook.PlaybookLoader().load(file).orThrow();
    String copyOptions = RunSteps.json(playbook.then().orElseThrow());
    RunRecord origin =
        RunRecord.planned(
                "r-origin",
                "thaw",
                Optional.of(file.toString()),
                ExecuteRun.hash(file),
                Map.of(),
                "embedded",
                RunRecord.Step.planned(
                    "restore",
                    Optional.of(RunSteps.json(playbook.action().orElseThrow())),
                    new RunRecord.Manifest("m1.csv", "e1", 2)),
                List.of(),
                CLOCK.instant())
            .withJob("job-1")
            .withOutcome(
                new RunRecord.Counts(2, 1, 1),
                Optional.of(manifests.resolve("rep/job-job-1/manifest.json").toString()),
                Optional.empty())
            .enter(RunPhase.WAITING, CLOCK.instant())
            .withStep(
                RunRecord.Step.planned(
                    "reencrypt",
                    Optional.of(copyOptions),
                    new RunRecord.Manifest("m2.csv", "e2", 1)))
            .withJob("job-2")
            .withOutcome(
                new RunRecord.Counts(1, 0, 1),
                Optional.of(manifests.resolve("rep/job-job-2/manifest.json").toString()),
                Optional.empty())
            .enter(RunPhase.COMPLETED, CLOCK.instant());
    store.save(origin);
    Map<String, String> failedKey = Map.of("job-1", "thaw/not-yet", "job-2", "thaw/copy-failed");
    FakeExecutor executor = new FakeExecutor(true);
    RetryRun retry =
        new RetryRun(
            store,
            (where, job, sink) -> {
              sink.accept(
                  new dev.quarry.report.TaskResult(
                      "photos",
                      failedKey.get(job),
                      null,
                      dev.quarry.action.TaskOutcome.failed("SlowDown", 503, "slow down")));
              return new dev.quarry.report.CompletionReport(job, where, "m", List.of());
            },
            executeRun(executor, List.of()),
            manifests);
    events.clear();

    // when
    RetryRun.Result result =
        retry.retry(
            "r-origin",
            new RetryRun.Selection(java.util.Set.of(), false),
            true,
            Approval.YES,
            RunListener.NONE);

    // then: the copy's failure with the copy's action, the restore's with a restore and its copy
    assertThat(result.failed()).isEqualTo(2);
    assertThat(result.selected()).isEqualTo(2);
    assertThat(executor.requests)
        .extracting(r -> r.action().type(), r -> keys(r.manifest().file()))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("reencrypt", List.of("thaw/copy-failed")),
            org.assertj.core.groups.Tuple.tuple("restore", List.of("thaw/not-yet")),
            org.assertj.core.groups.Tuple.tuple("reencrypt", List.of("thaw/not-yet")));
    assertThat(executor.requests.get(0).action().options().path("storage-class").asText())
        .isEqualTo("STANDARD");
    RunRecord run = store.find(result.run().orElseThrow().plan().runId()).orElseThrow();
    assertThat(run.retryOf()).contains("r-origin");
    assertThat(run.phase()).isEqualTo(RunPhase.COMPLETED);
    assertThat(run.steps()).hasSize(3);
  }

  @Test
  void aRetryOfASplitRunWhoseSecondJobFailedRetriesItsTasksThenSubmitsTheQueuedStep()
      throws Exception {
    // given: a copy in place split in three jobs; the second failed, the third never submitted
    Path file =
        java.nio.file.Files.writeString(
            manifests.resolve("split.yaml"),
            """
            name: split
            query: SELECT bucket, key, storage_class FROM inventory
            action: { type: reencrypt, sse: AES256 }
            limits: { max-objects: 10 }
            """);
    Playbook playbook = new dev.quarry.playbook.PlaybookLoader().load(file).orThrow();
    String options = RunSteps.json(playbook.action().orElseThrow());
    dev.quarry.manifest.Manifest third;
    try (dev.quarry.manifest.ManifestWriter writer =
        dev.quarry.manifest.ManifestWriter.open(manifests.resolve("step-3.csv"), false)) {
      writer.write(new ObjectRow("alpha", "c/1", null, 1L, "STANDARD_IA"));
      writer.write(new ObjectRow("alpha", "c/2", null, 1L, "STANDARD_IA"));
      third = writer.finish();
    }
    RunRecord origin =
        RunRecord.planned(
                "r-split",
                "split",
                Optional.of(file.toString()),
                ExecuteRun.hash(file),
                Map.of(),
                "embedded",
                RunRecord.Step.planned(
                    "reencrypt", Optional.of(options), new RunRecord.Manifest("m1.csv", "e1", 1)),
                List.of(
                    new RunRecord.Queued(
                        "reencrypt",
                        options,
                        Optional.of(new RunRecord.Manifest("m2.csv", "e2", 1))),
                    new RunRecord.Queued(
                        "reencrypt",
                        options,
                        Optional.of(
                            new RunRecord.Manifest(third.file().toString(), third.etag(), 2)))),
                CLOCK.instant())
            .withJob("job-1")
            .withOutcome(
                new RunRecord.Counts(1, 1, 0),
                Optional.of(manifests.resolve("rep/job-job-1/manifest.json").toString()),
                Optional.empty())
            .enter(RunPhase.WAITING, CLOCK.instant())
            .withStep(
                RunRecord.Step.planned(
                    "reencrypt", Optional.of(options), new RunRecord.Manifest("m2.csv", "e2", 1)))
            .withJob("job-2")
            .withOutcome(
                new RunRecord.Counts(1, 0, 1),
                Optional.of(manifests.resolve("rep/job-job-2/manifest.json").toString()),
                Optional.of("too many tasks failed"))
            .enter(RunPhase.FAILED, CLOCK.instant());
    assertThat(origin.queued()).hasSize(1);
    store.save(origin);
    FakeExecutor executor = new FakeExecutor(true);
    RetryRun retry =
        new RetryRun(
            store,
            (where, job, sink) -> {
              sink.accept(
                  job.equals("job-2")
                      ? new dev.quarry.report.TaskResult(
                          "alpha",
                          "b/1",
                          null,
                          dev.quarry.action.TaskOutcome.failed("SlowDown", 503, "slow down"))
                      : new dev.quarry.report.TaskResult(
                          "alpha",
                          "a/1",
                          null,
                          dev.quarry.action.TaskOutcome.succeeded("Successful")));
              return new dev.quarry.report.CompletionReport(job, where, "m", List.of());
            },
            executeRun(executor, List.of()),
            manifests);

    // when
    RetryRun.Result result =
        retry.retry(
            "r-split",
            new RetryRun.Selection(java.util.Set.of(), false),
            true,
            Approval.YES,
            RunListener.NONE);

    // then: the failed task of step 2, then the step the failure left unsubmitted
    assertThat(result.selected()).isEqualTo(1);
    assertThat(result.continued()).isEqualTo(1);
    assertThat(executor.requests)
        .extracting(r -> r.action().type(), r -> keys(r.manifest().file()))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("reencrypt", List.of("b/1")),
            org.assertj.core.groups.Tuple.tuple("reencrypt", List.of("c/1", "c/2")));
    RunRecord run = store.find(result.run().orElseThrow().plan().runId()).orElseThrow();
    assertThat(run.retryOf()).contains("r-split");
    assertThat(run.phase()).isEqualTo(RunPhase.COMPLETED);
    assertThat(run.steps()).hasSize(2);

    // and when the failed run is retried a second time
    executor.requests.clear();
    RetryRun.Result again =
        retry.retry(
            "r-split",
            new RetryRun.Selection(java.util.Set.of(), false),
            true,
            Approval.YES,
            RunListener.NONE);

    // then its failed task is retried again, but the queued step went with the first retry
    assertThat(again.continued()).isZero();
    assertThat(executor.requests)
        .extracting(r -> keys(r.manifest().file()))
        .containsExactly(List.of("b/1"));
  }

  private static Playbook reencrypt() {
    ObjectNode options =
        JsonNodeFactory.instance.objectNode().put("type", "reencrypt").put("sse", "AES256");
    return new Playbook(
        Path.of("playbooks/reencrypt-test.yaml"),
        "reencrypt-test",
        "test",
        Optional.empty(),
        "SELECT bucket, key, storage_class FROM inventory",
        Map.of(),
        Optional.of(new ActionSpec("reencrypt", options)),
        new Limits(OptionalLong.of(100), Limits.Confirm.NONE),
        new ReportSpec(ReportSpec.Scope.ALL));
  }

  private ExecuteRun executeRun(FakeExecutor executor, List<ObjectRow> rows, List<String> columns) {
    FakeQueryEngine engine = FakeQueryEngine.returning(columns, rows);
    return new ExecuteRun(
        () -> EnginePool.of(engine),
        executor,
        store,
        ReportReviews.NONE,
        row -> RestoredCopies.State.READABLE,
        java.time.Duration.ZERO,
        manifests,
        CLOCK);
  }

  private ExecuteRun executeRun(FakeExecutor executor, List<ObjectRow> rows) {
    return executeRun(executor, rows, row -> RestoredCopies.State.READABLE);
  }

  private ExecuteRun executeRun(
      FakeExecutor executor, List<ObjectRow> rows, RestoredCopies restores) {
    FakeQueryEngine engine =
        FakeQueryEngine.returning(List.of("bucket", "key", "version_id"), rows);
    return new ExecuteRun(
        () -> EnginePool.of(engine),
        executor,
        store,
        ReportReviews.NONE,
        restores,
        java.time.Duration.ZERO,
        manifests,
        CLOCK);
  }

  private static Playbook withThen(Playbook p, ObjectNode then) {
    return new Playbook(
        p.source(),
        p.name(),
        p.description(),
        p.schedule(),
        p.query(),
        p.parameters(),
        p.action(),
        p.limits(),
        p.report(),
        p.bucket(),
        p.metadata(),
        Optional.of(new ActionSpec(then.path("type").asText(), then)));
  }

  private static Playbook restore(Limits.Confirm confirm, long maxObjects) {
    ObjectNode options =
        JsonNodeFactory.instance
            .objectNode()
            .put("type", "restore")
            .put("days", 5)
            .put("tier", "BULK");
    return new Playbook(
        Path.of("playbooks/restore-test.yaml"),
        "restore-test",
        "test",
        Optional.empty(),
        "SELECT bucket, key, version_id FROM inventory WHERE element_at(object_tags, 'weather') ="
            + " :weather",
        Map.of(
            "weather", new ParameterSpec("weather", ParameterType.STRING, Optional.of("rain"), "")),
        Optional.of(new ActionSpec("restore", options)),
        new Limits(OptionalLong.of(maxObjects), confirm),
        new ReportSpec(ReportSpec.Scope.ALL));
  }

  /** Keeps runs in memory and logs each save with the phase saved. */
  private final class RecordingStore implements RunStore {
    final Map<String, RunRecord> runs = new LinkedHashMap<>();

    @Override
    public void save(RunRecord run) {
      RunRecord before = runs.put(run.id(), run);
      boolean approved =
          before != null && before.approvedBy().isEmpty() && run.approvedBy().isPresent();
      events.add(approved ? "save approved by " + run.approvedBy().get() : "save " + run.phase());
    }

    @Override
    public Optional<RunRecord> find(String runId) {
      return Optional.ofNullable(runs.get(runId));
    }

    @Override
    public Optional<RunRecord> start(RunRecord run) {
      Optional<RunRecord> other = active(run.playbook()).filter(r -> !r.id().equals(run.id()));
      if (other.isEmpty()) {
        save(run);
      }
      return other;
    }

    @Override
    public Optional<RunRecord> active(String playbook) {
      return runs.values().stream()
          .filter(r -> r.playbook().equals(playbook) && !r.phase().ended())
          .findFirst();
    }

    @Override
    public List<RunRecord> list(Query query) {
      return List.copyOf(runs.values());
    }

    @Override
    public void close() {}
  }

  /** An executor that runs every job to Complete at once, all tasks succeeding. */
  private final class FakeExecutor implements RunExecutor, BatchJobs {
    private final boolean acceptsEmpty;
    private final Map<String, JobRecord> jobs = new LinkedHashMap<>();
    final List<String> tokens = new ArrayList<>();
    final List<JobRequest> requests = new ArrayList<>();
    final List<String> confirmed = new ArrayList<>();

    FakeExecutor(boolean acceptsEmpty) {
      this.acceptsEmpty = acceptsEmpty;
    }

    @Override
    public BatchJobs jobs() {
      return this;
    }

    @Override
    public void checkRunnable(ActionSpec action) {}

    @Override
    public boolean acceptsEmptyManifest() {
      return acceptsEmpty;
    }

    @Override
    public ReportLocation reportLocation(Path runDir) {
      return new ReportLocation.Local(Path.of("rep"));
    }

    @Override
    public JobRecord prepared(JobRecord submitted) {
      return submitted;
    }

    @Override
    public JobRecord follow(String jobId, ProgressListener progress) {
      events.add("follow");
      JobRecord job = jobs.get(jobId);
      if (job.status() == JobStatus.SUSPENDED) {
        return job;
      }
      Instant now = CLOCK.instant();
      job = job.moveTo(JobStatus.ACTIVE, now, "");
      progress.onProgress(job);
      long total = job.progress().totalNumberOfTasks();
      job =
          job.withProgress(new JobRecord.Progress(total, total, 0, 1))
              .moveTo(JobStatus.COMPLETE, now, "");
      jobs.put(jobId, job);
      return job;
    }

    @Override
    public JobRecord resume(String jobId, ProgressListener progress) {
      return follow(jobId, progress);
    }

    @Override
    public JobRecord submit(JobRequest request) {
      events.add("submit");
      for (JobRecord existing : jobs.values()) {
        if (existing.clientRequestToken().equals(request.clientRequestToken())) {
          return existing;
        }
      }
      tokens.add(request.clientRequestToken());
      requests.add(request);
      Instant now = CLOCK.instant();
      JobRecord job =
          JobRecord.newJob("job-" + (jobs.size() + 1), request, now)
              .moveTo(JobStatus.PREPARING, now, "")
              .withProgress(new JobRecord.Progress(2, 0, 0, 0))
              .moveTo(
                  request.confirmationRequired() ? JobStatus.SUSPENDED : JobStatus.READY, now, "");
      jobs.put(job.jobId(), job);
      return job;
    }

    @Override
    public Optional<JobRecord> describe(String jobId) {
      return Optional.ofNullable(jobs.get(jobId));
    }

    @Override
    public List<JobRecord> list() {
      return List.copyOf(jobs.values());
    }

    @Override
    public JobRecord confirm(String jobId) {
      events.add("confirm");
      confirmed.add(jobId);
      JobRecord job = jobs.get(jobId).moveTo(JobStatus.READY, CLOCK.instant(), "");
      jobs.put(jobId, job);
      return job;
    }

    @Override
    public JobRecord cancel(String jobId) {
      throw new UnsupportedOperationException("not in these tests");
    }
  }
}
