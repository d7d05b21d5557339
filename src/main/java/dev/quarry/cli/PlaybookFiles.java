package dev.quarry.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/** Playbook arguments: files as given, folders as the playbooks below them. */
final class PlaybookFiles {
  private PlaybookFiles() {}

  static List<Path> expand(Collection<Path> paths) {
    return paths.stream().flatMap(p -> expand(p).stream()).toList();
  }

  /** The file itself, or the playbooks below a folder in a stable order. */
  static List<Path> expand(Path path) {
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    try (Stream<Path> walk = Files.walk(path)) {
      return walk.filter(Files::isRegularFile)
          .filter(
              p -> {
                String name = p.getFileName().toString();
                return name.endsWith(".yaml") || name.endsWith(".yml");
              })
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + path, e);
    }
  }
}
