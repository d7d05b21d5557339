package dev.quarry.manifest;

import dev.quarry.query.ObjectRow;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** Reads an S3BatchOperations_CSV_20180820 manifest back into rows, decoding keys. */
public final class ManifestReader {
  private ManifestReader() {}

  /** Whether the manifest's rows carry a version field (3 fields); false for an empty manifest. */
  public static boolean hasVersionIds(Path manifest) {
    try (Reader reader = Files.newBufferedReader(manifest, StandardCharsets.UTF_8);
        CSVParser parser = CSVFormat.DEFAULT.parse(reader)) {
      for (CSVRecord record : parser) {
        return record.size() == 3;
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read manifest " + manifest, e);
    }
  }

  /**
   * Streams the manifest's rows; the literal {@code null} version becomes a null version id.
   *
   * @return the number of rows read
   * @throws IllegalArgumentException naming the line of a row that is not 2 or 3 fields, or mixes
   *     the two
   */
  public static long read(Path manifest, Consumer<ObjectRow> sink) {
    try (Reader reader = Files.newBufferedReader(manifest, StandardCharsets.UTF_8);
        CSVParser parser = CSVFormat.DEFAULT.parse(reader)) {
      long rows = 0;
      int width = -1;
      for (CSVRecord record : parser) {
        if (record.size() != 2 && record.size() != 3) {
          throw new IllegalArgumentException(
              manifest
                  + ":"
                  + record.getRecordNumber()
                  + ": expected 2 or 3 fields, got "
                  + record.size());
        }
        if (width >= 0 && record.size() != width) {
          throw new IllegalArgumentException(
              manifest + ":" + record.getRecordNumber() + ": rows mix 2 and 3 fields");
        }
        width = record.size();
        String version = width == 3 ? record.get(2) : null;
        sink.accept(
            new ObjectRow(
                record.get(0),
                KeyCodec.decode(record.get(1)),
                ManifestWriter.NULL_VERSION.equals(version) ? null : version,
                null,
                null));
        rows++;
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read manifest " + manifest, e);
    }
  }
}
