package dev.quarry.manifest;

import static java.util.Objects.requireNonNull;

import dev.quarry.io.StorageErrors;
import dev.quarry.query.ObjectRow;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;

/**
 * {@code storage-classes.csv}, written beside a plan's {@code manifest.csv}: each task's storage
 * class as the plan knew it (the query's {@code storage_class} column or the inventory's). Neither
 * the manifest format nor AWS's completion reports carry a class, so this is the only place a
 * review can find it. Rows are {@code bucket,key,version,class}: the key percent-encoded as in the
 * manifest, the version and the class empty when unknown. A run planned before this file existed
 * has none; its review says so.
 */
public final class StorageClassFile {
  /** The file's name, beside the manifest. */
  public static final String NAME = "storage-classes.csv";

  private static final CSVFormat FORMAT =
      CSVFormat.DEFAULT.builder().setRecordSeparator("\n").setQuoteMode(QuoteMode.MINIMAL).get();

  private StorageClassFile() {}

  /** Where the file of a manifest is. */
  public static Path beside(Path manifest) {
    return manifest.resolveSibling(NAME);
  }

  /** Streams rows into the file, which appears under its name only on {@link #finish()}. */
  public static final class Writer implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final CSVPrinter printer;
    private final boolean withVersionIds;
    private boolean finished;

    /**
     * @param withVersionIds whether the manifest has a version field: a report's rows carry the
     *     manifest's, so a version the manifest left out must not be part of the task here either
     */
    public Writer(Path target, boolean withVersionIds) {
      this.target = requireNonNull(target, "target is null");
      this.withVersionIds = withVersionIds;
      try {
        Files.createDirectories(target.toAbsolutePath().getParent());
        this.temp = Files.createTempFile(target.toAbsolutePath().getParent(), ".classes-", ".tmp");
        BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8);
        this.printer = new CSVPrinter(out, FORMAT);
      } catch (IOException e) {
        throw StorageErrors.of("cannot write", target, e, "or set manifests-dir elsewhere");
      }
    }

    public void write(ObjectRow row) {
      try {
        printer.printRecord(
            row.bucket(),
            KeyCodec.encode(row.key()),
            !withVersionIds || row.versionId() == null ? "" : row.versionId(),
            row.storageClass() == null ? "" : row.storageClass());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public void finish() {
      try {
        printer.close();
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        finished = true;
      } catch (IOException e) {
        throw StorageErrors.of("cannot write", target, e, "or set manifests-dir elsewhere");
      }
    }

    @Override
    public void close() {
      if (finished) {
        return;
      }
      try {
        printer.close();
      } catch (IOException ignored) {
        // the file is removed below; the error being reported matters more
      }
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // a hidden .tmp file left in the run's folder
      }
    }
  }

  /** Storage classes by task, as read back from a file. */
  public static final class Lookup {
    private final Map<String, String> byTask;

    private Lookup(Map<String, String> byTask) {
      this.byTask = byTask;
    }

    /**
     * The class of a task; a report's version field is its manifest's, so {@code null}, the empty
     * field and the literal {@code null} all mean the manifest named no version.
     */
    public Optional<String> of(String bucket, String key, String versionId) {
      return Optional.ofNullable(byTask.get(task(bucket, key, versionId)));
    }

    public int size() {
      return byTask.size();
    }
  }

  /** The file beside a manifest, if the plan wrote one. */
  public static Optional<Lookup> read(Path manifest) {
    Path file = beside(manifest);
    // the few class names are shared: a review of millions of tasks holds each name once
    Map<String, String> names = new HashMap<>();
    Map<String, String> byTask = new HashMap<>();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (CSVRecord r : FORMAT.parse(in)) {
        String cls = r.get(3);
        if (!cls.isEmpty()) {
          byTask.put(
              task(r.get(0), KeyCodec.decode(r.get(1)), r.get(2)),
              names.computeIfAbsent(cls, c -> c));
        }
      }
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw StorageErrors.of("cannot read", file, e, "or remove it to review without classes");
    }
    return Optional.of(new Lookup(byTask));
  }

  private static String task(String bucket, String key, String versionId) {
    String v = versionId == null || versionId.equals(ManifestWriter.NULL_VERSION) ? "" : versionId;
    return bucket + '\n' + key + '\n' + v;
  }
}
