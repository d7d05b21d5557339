package dev.quarry.metadata;

import static java.util.Objects.requireNonNull;

import dev.quarry.io.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where the local S3 Metadata tables live: {@code <root>/<namespace>/<table>/*.parquet}, one folder
 * per bucket namespace (e.g. {@code b_starwatcher}).
 *
 * <p>A namespace's {@code state.json} names the files each table is made of, and a refresh or an
 * import commits by replacing that one file atomically: it first writes its new files under new
 * names, then the state that names them. A table is exactly the files its state names; anything
 * else in the folders is what a killed writer left behind, invisible to readers and removed by the
 * next writer. (A state written before states named their files makes every file count.)
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

  /** The last committed state; empty before the first commit. */
  public Optional<RefreshState> state(String namespace) {
    return RefreshState.read(stateFile(namespace));
  }

  /** Namespaces that have at least one table file, sorted. */
  public List<String> namespaces() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(ns -> !ns.startsWith("."))
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

  /** The table's committed Parquet files, sorted by name; empty when the table has none. */
  public List<Path> parquetFiles(String namespace, String table) {
    Optional<RefreshState> state = state(namespace);
    if (state.isPresent() && state.get().namesFiles()) {
      Path dir = tableDir(namespace, table);
      return state.get().files(table).stream().sorted().map(dir::resolve).toList();
    }
    return listed(namespace, table);
  }

  /**
   * The committed state for a writer that holds the namespace's lock, after removing what killed
   * writers left. A namespace that never had a state gets one naming no files, so that files a
   * killed first refresh leaves are known as leftovers too.
   */
  RefreshState beginWrite(String namespace, String bucket) {
    Optional<RefreshState> read = state(namespace);
    RefreshState state;
    if (read.isPresent() && read.get().namesFiles()) {
      state = read.get();
    } else {
      List<String> inventory = names(listed(namespace, MetadataTables.INVENTORY));
      List<String> journal = names(listed(namespace, MetadataTables.JOURNAL));
      state = read.orElse(RefreshState.empty(bucket, namespace)).withFiles(inventory, journal);
      if (read.isEmpty() && inventory.isEmpty() && journal.isEmpty()) {
        state.write(stateFile(namespace));
      }
    }
    removeLeftovers(namespace, state);
    return state;
  }

  /**
   * Makes {@code next} the namespace's tables with one atomic rename, then removes the files it no
   * longer names. The caller holds the namespace's lock and has written every file {@code next}
   * names.
   */
  void commit(String namespace, RefreshState next, Runnable afterRename) {
    if (!next.namesFiles()) {
      throw new IllegalArgumentException("a commit names its files");
    }
    next.write(stateFile(namespace));
    afterRename.run();
    removeLeftovers(namespace, next);
  }

  /**
   * Deletes every file of the table folders that {@code state} does not name, the work folders of
   * killed writers and their half-written state files. Only under the namespace's lock: a live
   * writer's files are leftovers too until it commits.
   */
  private void removeLeftovers(String namespace, RefreshState state) {
    Path namespaceDir = root.resolve(namespace);
    for (String table : List.of(MetadataTables.INVENTORY, MetadataTables.JOURNAL)) {
      Set<String> committed = new HashSet<>(state.files(table));
      for (Path file : filesIn(tableDir(namespace, table))) {
        if (!committed.contains(file.getFileName().toString())) {
          deleteTree(file);
        }
      }
    }
    for (Path entry : filesIn(namespaceDir)) {
      String name = entry.getFileName().toString();
      if (name.startsWith(".refresh-")
          || name.startsWith(".import-")
          || (name.startsWith(".state.json") && name.endsWith(".tmp"))) {
        deleteTree(entry);
      }
    }
  }

  /** Every {@code *.parquet} file in the table's folder, committed or not. */
  private List<Path> listed(String namespace, String table) {
    return filesIn(tableDir(namespace, table)).stream()
        .filter(p -> p.getFileName().toString().endsWith(".parquet"))
        .filter(p -> !p.getFileName().toString().startsWith("."))
        .toList();
  }

  private static List<String> names(List<Path> files) {
    return files.stream().map(p -> p.getFileName().toString()).toList();
  }

  private static List<Path> filesIn(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes a leftover of a killed refresh (a work folder, a table file) whole. */
  static void deleteTree(Path path) {
    FileTrees.delete(path);
  }
}
