package dev.quarry.cli;

/**
 * How a command prints its result: for a person, or for a script. {@code csv} is for tabular
 * results ({@code quarry query}); other commands refuse it.
 */
public enum OutputFormat {
  text,
  json,
  csv
}
