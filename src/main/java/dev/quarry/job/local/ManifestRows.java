package dev.quarry.job.local;

import dev.quarry.manifest.KeyCodec;
import dev.quarry.manifest.ManifestWriter;
import dev.quarry.query.ObjectRow;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** A manifest read row by row from a given row on, as a worker's reader pulls them. */
final class ManifestRows implements AutoCloseable {
  private final Reader reader;
  private final CSVParser parser;
  private final Iterator<CSVRecord> records;

  private ManifestRows(Path manifest) throws IOException {
    this.reader = Files.newBufferedReader(manifest, StandardCharsets.UTF_8);
    this.parser = CSVFormat.DEFAULT.parse(reader);
    this.records = parser.iterator();
  }

  /** The manifest positioned before row {@code first} (0-based). */
  static ManifestRows from(Path manifest, long first) {
    try {
      ManifestRows rows = new ManifestRows(manifest);
      for (long i = 0; i < first && rows.records.hasNext(); i++) {
        rows.records.next();
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read manifest " + manifest, e);
    }
  }

  /** The next row, or null at the end. */
  ObjectRow next() {
    if (!records.hasNext()) {
      return null;
    }
    CSVRecord record = records.next();
    String version = record.size() == 3 ? record.get(2) : null;
    return new ObjectRow(
        record.get(0),
        KeyCodec.decode(record.get(1)),
        ManifestWriter.NULL_VERSION.equals(version) ? null : version,
        null,
        null);
  }

  @Override
  public void close() {
    try {
      parser.close();
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
