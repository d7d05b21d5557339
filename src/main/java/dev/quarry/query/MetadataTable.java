package dev.quarry.query;

import java.util.Locale;
import java.util.Optional;

/** The two S3 Metadata tables a playbook queries, by the plain names queries use. */
public enum MetadataTable {
  JOURNAL("journal"),
  INVENTORY("inventory");

  private final String plainName;

  MetadataTable(String plainName) {
    this.plainName = plainName;
  }

  /** The name a query uses, and AWS's own name for the table in a V2 metadata configuration. */
  public String plainName() {
    return plainName;
  }

  /** The table a plain name (any case) stands for. */
  public static Optional<MetadataTable> ofPlainName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (MetadataTable table : values()) {
      if (table.plainName.equals(lower)) {
        return Optional.of(table);
      }
    }
    return Optional.empty();
  }
}
