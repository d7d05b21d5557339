package dev.quarry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quarry.sandbox.LocalS3Server;
import dev.quarry.testing.DaemonProcess;
import dev.quarry.testing.QuarryCli;
import dev.quarry.testing.S3Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code quarry daemon} as a process of its own (the packaged jar) against S3Mock: a tagging
 * playbook fired every 2 seconds, one beside it that needs an approval (given by quarry confirm,
 * never by the daemon) and has a run left unfinished before the daemon started, a broken playbook
 * dropped in while it runs, then a SIGTERM.
 */
class DaemonIT {

  @TempDir Path dir;

  private final LocalS3Server server = S3Servers.s3mock();
  private final S3Client s3 = S3Servers.client(server);
  private DaemonProcess daemon;

  @AfterEach
  void stopDaemon() {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void firesAScheduledPlaybookReportsABrokenOneWithItsLineAndStopsCleanlyOnSigterm()
      throws Exception {
    // given: three objects, their metadata, and a folder with a playbook due every 2 seconds
    String bucket = S3Servers.createVersionedBucket(s3, "daemon");
    IntStream.range(0, 3)
        .forEach(
            i -> s3.putObject(b -> b.bucket(bucket).key("obj/" + i), RequestBody.fromString("x")));
    assertThat(cli().run("metadata", "refresh", "--bucket", bucket).code()).isZero();
    Path playbooks = Files.createDirectory(dir.resolve("playbooks"));
    Files.writeString(
        playbooks.resolve("tag.yaml"),
        """
        name: tag-every-2s
        schedule: "0/2 * * * * ?"
        query: SELECT bucket, key FROM "b_%s"."inventory"
        action: { type: put-tags, tags: { checked: "yes" } }
        """
            .formatted(bucket));
    Path confirmed =
        Files.writeString(
            playbooks.resolve("confirmed.yaml"),
            """
            name: tag-confirmed
            schedule: "0/2 * * * * ?"
            query: SELECT bucket, key FROM "b_%s"."inventory"
            action: { type: put-tags, tags: { confirmed: "yes" } }
            limits: { confirm: required }
            """
                .formatted(bucket));
    // and: a run of it left awaiting approval by a quarry run before the daemon started
    QuarryCli.Result earlier = cli().run("run", confirmed.toString());
    assertThat(earlier.code()).as(earlier.err()).isZero();
    String unfinished = cli().runsOf("tag-confirmed").get(0).path("id").asText();

    // when: the daemon runs
    daemon =
        DaemonProcess.start(
            server, dir, "daemon", "--playbooks", playbooks.toString(), "--poll", "1");

    // then: the daemon took up the unfinished run first, without approving it
    daemon.await(
        () -> daemon.log().contains("resumed run " + unfinished + " awaiting-approval"), 40);

    // and: its runs complete and are in the run store
    daemon.await(() -> daemon.log().contains("scheduled tag-every-2s"), 30);
    daemon.await(() -> completed() >= 2, 90);
    assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("obj/0")).tagSet())
        .extracting(t -> t.key() + "=" + t.value())
        .containsExactly("checked=yes");

    // and: the run that needs an approval waits for it, and holds its playbook meanwhile
    daemon.await(
        () -> daemon.log().contains("playbook tag-confirmed already has a run that has not ended"),
        10);
    List<JsonNode> waiting = cli().runsOf("tag-confirmed");
    assertThat(waiting).hasSize(1);
    assertThat(waiting.get(0).path("id").asText()).isEqualTo(unfinished);
    assertThat(waiting.get(0).path("status").asText()).isEqualTo("awaiting-approval");

    // when: its playbook is removed, and quarry confirm approves the run
    Files.delete(confirmed);
    daemon.await(() -> daemon.log().contains("confirmed.yaml: removed; unscheduled"), 30);
    QuarryCli.Result confirm = cli().run("confirm", waiting.get(0).path("jobIds").get(0).asText());

    // then: it ran, and no other run of it was started
    assertThat(confirm.code()).as(confirm.err()).isZero();
    assertThat(cli().runsOf("tag-confirmed"))
        .singleElement()
        .satisfies(r -> assertThat(r.path("status").asText()).isEqualTo("completed"));

    // when: a broken playbook is dropped into the folder (an unknown action, line 4)
    Files.writeString(
        playbooks.resolve("broken.yaml"),
        """
        name: broken
        schedule: "0/2 * * * * ?"
        query: SELECT bucket, key FROM "b_%s"."inventory"
        action: { type: no-such-action }
        """
            .formatted(bucket));

    // then: it is reported with its file and line, and the good one keeps firing
    daemon.await(() -> daemon.log().contains("broken.yaml:4"), 30);
    int before = completed();
    daemon.await(() -> completed() > before, 90);
    assertThat(daemon.log()).contains("broken.yaml: broken; not scheduled until fixed");

    // when: SIGTERM
    int exit = daemon.terminate();

    // then: it exits 0, and leaves no run unfinished
    assertThat(exit).as(daemon.log()).isZero();
    System.out.println(daemon.log());
    List<String> statuses = new ArrayList<>();
    cli().runs().forEach(r -> statuses.add(r.path("status").asText()));
    assertThat(statuses).isNotEmpty().allMatch(s -> s.equals("completed"), daemon.log());
    assertThat(daemon.log())
        .contains("stopped")
        .doesNotContain("firing broken")
        .doesNotContain("(bug)");
  }

  private int completed() {
    int n = 0;
    for (JsonNode run : cli().runsOf("tag-every-2s")) {
      if (run.path("status").asText().equals("completed")) {
        n++;
      }
    }
    return n;
  }

  private QuarryCli cli() {
    return new QuarryCli(server.endpoint(), dir, Map.of());
  }
}
