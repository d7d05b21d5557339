package dev.quarry.playbook;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A playbook's {@code metadata:} option: where its plain {@code journal} and {@code inventory} are,
 * when the bucket's metadata configuration should not decide (or cannot be read).
 *
 * @param namespace the namespace (Athena database), such as {@code b_photos}
 * @param journalTable the journal table's name in it
 * @param inventoryTable the inventory table's name in it
 */
public record MetadataOverrides(
    Optional<String> namespace, Optional<String> journalTable, Optional<String> inventoryTable) {
  public static final MetadataOverrides NONE =
      new MetadataOverrides(Optional.empty(), Optional.empty(), Optional.empty());

  public MetadataOverrides {
    requireNonNull(namespace, "namespace is null");
    requireNonNull(journalTable, "journalTable is null");
    requireNonNull(inventoryTable, "inventoryTable is null");
  }
}
