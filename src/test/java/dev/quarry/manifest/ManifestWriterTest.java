package dev.quarry.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.query.ObjectRow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestWriterTest {
  @TempDir Path dir;

  @Test
  void writesBucketKeyRowsWithoutHeader() throws Exception {
    // given
    Path file = dir.resolve("run/manifest.csv");

    // when
    Manifest manifest;
    try (ManifestWriter writer = ManifestWriter.open(file, false)) {
      writer.write(new ObjectRow("starwatcher", "camera/a b.jpg", null, 10L, "GLACIER"));
      writer.write(new ObjectRow("starwatcher", "logs/x+y,z.log", null, null, null));
      manifest = writer.finish();
    }

    // then
    assertThat(Files.readString(file))
        .isEqualTo("starwatcher,camera/a%20b.jpg\nstarwatcher,logs/x%2By%2Cz.log\n");
    assertThat(manifest.rows()).isEqualTo(2);
    assertThat(manifest.bytes()).isEqualTo(Files.size(file));
    assertThat(manifest.fields()).containsExactly("Bucket", "Key");
  }

  @Test
  void writesTheNullVersionAsTheLiteralNull() throws Exception {
    // given
    Path file = dir.resolve("manifest.csv");

    // when
    try (ManifestWriter writer = ManifestWriter.open(file, true)) {
      writer.write(new ObjectRow("b", "k1", "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", null, null));
      writer.write(new ObjectRow("b", "k2", null, null, null));
      writer.finish();
    }

    // then
    assertThat(Files.readAllLines(file))
        .containsExactly("b,k1,3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", "b,k2,null");
  }

  @Test
  void etagIsTheMd5OfTheFileAsWritten() throws Exception {
    // given
    Path file = dir.resolve("manifest.csv");

    // when
    Manifest manifest;
    try (ManifestWriter writer = ManifestWriter.open(file, false)) {
      for (int i = 0; i < 10_000; i++) {
        writer.write(new ObjectRow("b", "key-" + i + "-ü", null, null, null));
      }
      manifest = writer.finish();
    }

    // then
    byte[] md5 = MessageDigest.getInstance("MD5").digest(Files.readAllBytes(file));
    assertThat(manifest.etag()).isEqualTo(HexFormat.of().formatHex(md5));
  }

  @Test
  void anAbandonedManifestLeavesNoFile() throws Exception {
    // given
    Path file = dir.resolve("manifest.csv");

    // when
    try (ManifestWriter writer = ManifestWriter.open(file, false)) {
      writer.write(new ObjectRow("b", "k", null, null, null));
      // no finish(): the run failed half-way
    }

    // then
    assertThat(file).doesNotExist();
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void readerGetsBackExactlyWhatWasWritten() {
    // given
    Path file = dir.resolve("manifest.csv");
    List<ObjectRow> written =
        List.of(
            new ObjectRow("b", "odd/100%+true,\"quoted\".txt", "v1", null, null),
            new ObjectRow("b", "odd/naïve café.txt", null, null, null),
            new ObjectRow("b", "x".repeat(1024), "v2", null, null));
    try (ManifestWriter writer = ManifestWriter.open(file, true)) {
      written.forEach(writer::write);
      writer.finish();
    }

    // when
    List<ObjectRow> read = new ArrayList<>();
    ManifestReader.read(file, read::add);

    // then
    assertThat(read).containsExactlyElementsOf(written);
    assertThat(new String(file.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
        .endsWith("manifest.csv");
  }
}
