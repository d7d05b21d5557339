package dev.quarry.manifest;

import dev.quarry.io.StorageErrors;
import dev.quarry.query.ObjectRow;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;

/**
 * Streams rows into an S3BatchOperations_CSV_20180820 manifest: no header, {@code bucket,key} or
 * {@code bucket,key,versionId} on every row (never a mix), keys percent-encoded by {@link
 * KeyCodec}, the null version written as the literal {@code null}. The MD5 is computed while
 * writing; the file appears under its final name only when {@link #finish()} succeeds, so a crash
 * never leaves a half-written manifest behind. Memory does not grow with the row count.
 */
public final class ManifestWriter implements AutoCloseable {
  /** The version field S3 Batch Operations reads as the null version. */
  public static final String NULL_VERSION = "null";

  private static final CSVFormat FORMAT =
      CSVFormat.DEFAULT.builder().setRecordSeparator("\n").setQuoteMode(QuoteMode.MINIMAL).get();

  /**
   * Temporary files of manifests being written. A SIGTERM runs shutdown hooks but no {@code
   * finally}, so a hook removes them: a stopped plan leaves no part of a manifest behind.
   */
  private static final Set<Path> UNFINISHED = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    UNFINISHED.forEach(
                        p -> {
                          try {
                            Files.deleteIfExists(p);
                          } catch (IOException ignored) {
                            // the process is ending; a leftover is a hidden .tmp file
                          }
                        }),
                "quarry-manifest-cleanup"));
  }

  private final Path target;
  private final Path temp;
  private final boolean withVersionIds;
  private final MessageDigest md5;
  private final CountingStream counter;
  private final CSVPrinter printer;
  private long rows;
  private boolean finished;

  private ManifestWriter(Path target, boolean withVersionIds) throws IOException {
    this.target = target;
    this.withVersionIds = withVersionIds;
    Files.createDirectories(target.toAbsolutePath().getParent());
    this.temp = Files.createTempFile(target.toAbsolutePath().getParent(), ".manifest-", ".tmp");
    UNFINISHED.add(temp);
    try {
      this.md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has MD5", e);
    }
    this.counter = new CountingStream(new DigestOutputStream(Files.newOutputStream(temp), md5));
    this.printer =
        new CSVPrinter(
            new BufferedWriter(new OutputStreamWriter(counter, StandardCharsets.UTF_8), 1 << 16),
            FORMAT);
  }

  /**
   * Opens a writer for {@code target}.
   *
   * @param withVersionIds whether rows carry a version field; decided once for the whole manifest
   */
  public static ManifestWriter open(Path target, boolean withVersionIds) {
    try {
      return new ManifestWriter(target, withVersionIds);
    } catch (IOException e) {
      throw failure("cannot create manifest", target, e);
    }
  }

  /** A file-system failure, a full disk named as such: external, not a bug. */
  private static RuntimeException failure(String doing, Path file, IOException e) {
    return StorageErrors.of(doing, file, e, "or set manifests-dir elsewhere");
  }

  public void write(ObjectRow row) {
    try {
      if (withVersionIds) {
        printer.printRecord(
            row.bucket(),
            KeyCodec.encode(row.key()),
            row.versionId() == null ? NULL_VERSION : row.versionId());
      } else {
        printer.printRecord(row.bucket(), KeyCodec.encode(row.key()));
      }
      rows++;
    } catch (IOException e) {
      throw failure("cannot write manifest", target, e);
    }
  }

  /** Flushes, checks the file and moves it to its final name. */
  public Manifest finish() {
    try {
      printer.close();
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      finished = true;
      UNFINISHED.remove(temp);
      return new Manifest(
          target, HexFormat.of().formatHex(md5.digest()), rows, counter.count, withVersionIds);
    } catch (IOException e) {
      throw failure("cannot finish manifest", target, e);
    }
  }

  /**
   * A hidden temporary file beside {@code target} for a manifest written by someone else (the
   * embedded engine's {@code COPY}), finished as {@link #finish()} finishes this writer's: removed
   * by {@link Staged#close()} or at exit unless {@link Staged#finish} moved it to its name.
   */
  public static Staged stage(Path target, boolean withVersionIds) {
    try {
      Files.createDirectories(target.toAbsolutePath().getParent());
      Path temp = Files.createTempFile(target.toAbsolutePath().getParent(), ".manifest-", ".tmp");
      UNFINISHED.add(temp);
      return new Staged(target, temp, withVersionIds);
    } catch (IOException e) {
      throw failure("cannot create manifest", target, e);
    }
  }

  /** A manifest file being written outside this class; see {@link #stage}. */
  public static final class Staged implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final boolean withVersionIds;
    private boolean finished;

    private Staged(Path target, Path temp, boolean withVersionIds) {
      this.target = target;
      this.temp = temp;
      this.withVersionIds = withVersionIds;
    }

    /** Where the manifest is to be written (replacing the empty file there). */
    public Path path() {
      return temp;
    }

    /**
     * Computes the ETag by streaming the written file, then moves it to its final name.
     *
     * @param rows how many rows the writer wrote
     */
    public Manifest finish(long rows) {
      try {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        byte[] buffer = new byte[1 << 20];
        long bytes = 0;
        try (var in = Files.newInputStream(temp)) {
          for (int n; (n = in.read(buffer)) > 0; ) {
            md5.update(buffer, 0, n);
            bytes += n;
          }
        }
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        finished = true;
        UNFINISHED.remove(temp);
        return new Manifest(
            target, HexFormat.of().formatHex(md5.digest()), rows, bytes, withVersionIds);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JVM has MD5", e);
      } catch (IOException e) {
        throw failure("cannot finish manifest", target, e);
      }
    }

    /** Abandons an unfinished manifest: the temporary file is removed, no manifest appears. */
    @Override
    public void close() {
      if (!finished) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } finally {
          UNFINISHED.remove(temp);
        }
      }
    }
  }

  /** Abandons an unfinished manifest: the temporary file is removed, no manifest appears. */
  @Override
  public void close() {
    if (!finished) {
      try {
        printer.close();
      } catch (IOException ignored) {
        // the file is deleted next; a close failure changes nothing
      }
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        UNFINISHED.remove(temp);
      }
    }
  }

  private static final class CountingStream extends java.io.FilterOutputStream {
    private long count;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
