package dev.quarry.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quarry.query.ObjectRow;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a review reads back from the file a plan wrote: a report row finds its task's class. */
class StorageClassFileTest {
  @TempDir Path dir;

  @Test
  void aReportRowFindsTheClassOfItsTaskWhateverItsVersionFieldSays() {
    // given: odd keys, a null version, a version the manifest leaves out, an unknown class
    Path manifest = dir.resolve("manifest.csv");
    try (StorageClassFile.Writer writer =
        new StorageClassFile.Writer(StorageClassFile.beside(manifest), true)) {
      writer.write(new ObjectRow("b", "a b+c,\"é\"\n.txt", "v1", 1L, "STANDARD_IA"));
      writer.write(new ObjectRow("b", "plain", null, 1L, "GLACIER"));
      writer.write(new ObjectRow("b", "nothing", "v3", 1L, null));
      writer.finish();
    }

    // when
    StorageClassFile.Lookup lookup = StorageClassFile.read(manifest).orElseThrow();

    // then
    assertThat(lookup.of("b", "a b+c,\"é\"\n.txt", "v1")).contains("STANDARD_IA");
    assertThat(lookup.of("b", "a b+c,\"é\"\n.txt", "v2")).isEmpty();
    assertThat(lookup.of("b", "plain", ManifestWriter.NULL_VERSION)).contains("GLACIER");
    assertThat(lookup.of("b", "plain", null)).contains("GLACIER");
    assertThat(lookup.of("b", "nothing", "v3")).isEmpty();
    assertThat(lookup.size()).isEqualTo(2);
  }

  @Test
  void aManifestWithoutTheFileHasNoLookupAndAWriterThatDidNotFinishLeavesNone() {
    // given
    Path manifest = dir.resolve("old/manifest.csv");
    try (StorageClassFile.Writer writer =
        new StorageClassFile.Writer(StorageClassFile.beside(manifest), false)) {
      writer.write(new ObjectRow("b", "k", null, 1L, "STANDARD"));
    }

    // when / then
    assertThat(StorageClassFile.read(manifest)).isEmpty();
    assertThat(manifest.getParent()).isEmptyDirectory();
  }
}
