package dev.quarry.metadata;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the local S3 Metadata tables live: {@code <root>/<namespace>/<table>/*.parquet}, one folder
 * per bucket namespace (e.g. {@code b_starwatcher}). The inventory is one file, replaced atomically
 * at each refresh; the journal grows by one file per refresh or import.
 */
public record Warehouse(Path root) {
  public Warehouse {
    requireNonNull(root, "root is null");
  }

  public Path tableDir(String namespace, String table) {
    return root.resolve(namespace).resolve(table);
  }

  /** A small JSON file per namespace with what refreshes need to remember. */
  public Path stateFile(String namespace) {
    return root.resolve(namespace).resolve("state.json");
  }

  /** Namespaces that have at least one table file, sorted. */
  public List<String> namespaces() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(
              ns ->
                  !parquetFiles(ns, MetadataTables.INVENTORY).isEmpty()
                      || !parquetFiles(ns, MetadataTables.JOURNAL).isEmpty())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The table's Parquet files, sorted by name; empty when the table has none. */
  public List<Path> parquetFiles(String namespace, String table) {
    Path dir = tableDir(namespace, table);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
