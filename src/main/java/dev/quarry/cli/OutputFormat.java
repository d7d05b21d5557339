package dev.quarry.cli;

/** How a command prints its result: for a person, or for a script. */
public enum OutputFormat {
  text,
  json
}
