package dev.quarry.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirectoryTest {
  @TempDir Path work;

  @Test
  void aNewStateDirectoryAndWhatAtomicFilesWritesUnderItAreTheUsersAlone() throws Exception {
    // given
    Path state = work.resolve("home").resolve(".quarry");

    // when
    StateDirectory.secure(state);
    AtomicFiles.write(state.resolve("sandbox").resolve("state.json"), "{}".getBytes());

    // then
    assertThat(mode(work.resolve("home"))).isEqualTo("rwx------");
    assertThat(mode(state)).isEqualTo("rwx------");
    assertThat(mode(state.resolve("sandbox"))).isEqualTo("rwx------");
    assertThat(mode(state.resolve("sandbox").resolve("state.json"))).isEqualTo("rw-------");
  }

  @Test
  void anExistingStateDirectoryOfAnEarlierQuarryIsTightened() throws Exception {
    // given a state directory as earlier versions left it: 0755
    Path state = work.resolve("old");
    Files.createDirectories(state.resolve("warehouse"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));

    // when
    StateDirectory.secure(state);

    // then
    assertThat(mode(state)).isEqualTo("rwx------");
  }

  @Test
  void aSharedDirectoryThatIsNoStateDirectoryIsLeftAlone() throws Exception {
    // given QUARRY_STATE_DIR pointing at a shared folder, say /tmp
    Path shared = work.resolve("shared");
    Files.createDirectories(shared.resolve("someone-elses"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));

    // when
    StateDirectory.secure(shared);

    // then
    assertThat(mode(shared)).isEqualTo("rwxrwxrwx");
  }

  @Test
  void atomicFilesReplacesAWorldReadableFileWithAPrivateOne() throws Exception {
    // given a file an earlier Quarry wrote 0644
    Path file = work.resolve("runs").resolve("run.json");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "old");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    // when
    AtomicFiles.write(file, "new".getBytes());

    // then
    assertThat(Files.readString(file)).isEqualTo("new");
    assertThat(mode(file)).isEqualTo("rw-------");
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
