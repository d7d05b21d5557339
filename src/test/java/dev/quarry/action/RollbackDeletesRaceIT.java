package dev.quarry.action;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.testing.S3Servers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;

/**
 * Two processes run the local rollback task over the same delete markers at the same moment, with
 * no job (and so no bucket lease) around them: on S3Mock, which deletes a key's current version
 * when asked to delete a version that is gone, a check in one process and a delete in the other
 * used to interleave and delete data.
 */
class RollbackDeletesRaceIT {
  private static final int KEYS = 200;

  @TempDir Path dir;

  @Test
  void twoProcessesRemovingTheSameMarkersLeaveEveryKeyItsData() throws Exception {
    // given: 200 deleted keys on S3Mock, and their markers in a list
    S3Client s3 = S3Servers.client(S3Servers.s3mock());
    String bucket = S3Servers.createVersionedBucket(s3, "race");
    List<String> keys = IntStream.range(0, KEYS).mapToObj(i -> "k/" + i).toList();
    keys.parallelStream()
        .forEach(k -> s3.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromString(k)));
    keys.parallelStream().forEach(k -> s3.deleteObject(b -> b.bucket(bucket).key(k)));
    List<String> rows = new ArrayList<>();
    for (DeleteMarkerEntry m : versions(s3, bucket).deleteMarkers()) {
      rows.add(bucket + "\t" + m.key() + "\t" + m.versionId());
    }
    assertThat(rows).hasSize(KEYS);
    Path rowsFile = Files.write(dir.resolve("rows.tsv"), rows);

    // when: two processes, released together
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ProcessBuilder builder =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  RollbackRaceMain.class.getName(),
                  S3Servers.s3mock().endpoint().toString(),
                  rowsFile.toString())
              .redirectError(dir.resolve("child-" + i + ".err").toFile());
      // the key locks' folder, shared by both and kept out of the user's home
      builder.environment().put("QUARRY_KEY_LOCKS_DIR", dir.resolve("key-locks").toString());
      processes.add(builder.start());
    }
    List<BufferedReader> outputs = new ArrayList<>();
    for (Process p : processes) {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).as("see child-*.err").isEqualTo("ready");
      outputs.add(out);
    }
    for (Process p : processes) {
      OutputStream in = p.getOutputStream();
      in.write("go\n".getBytes(StandardCharsets.UTF_8));
      in.flush();
    }
    int removed = 0;
    for (int i = 0; i < 2; i++) {
      String last = outputs.get(i).readLine();
      assertThat(processes.get(i).waitFor(3, TimeUnit.MINUTES)).isTrue();
      assertThat(last).startsWith("removed ");
      removed += Integer.parseInt(last.substring("removed ".length()));
    }

    // then: no marker left, every key has its one data version, each marker removed once
    ListObjectVersionsResponse after = versions(s3, bucket);
    assertThat(after.deleteMarkers()).isEmpty();
    assertThat(after.versions()).extracting(v -> v.key()).containsExactlyInAnyOrderElementsOf(keys);
    assertThat(removed).isEqualTo(KEYS);
  }

  private static ListObjectVersionsResponse versions(S3Client s3, String bucket) {
    ListObjectVersionsResponse page = s3.listObjectVersions(b -> b.bucket(bucket).maxKeys(1000));
    assertThat(page.isTruncated()).isFalse();
    return page;
  }
}
