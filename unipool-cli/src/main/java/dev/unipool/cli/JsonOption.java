package dev.unipool.cli;

import picocli.CommandLine.Option;

/** The {@code --json} option: one JSON object on stdout instead of the human-readable report. */
final class JsonOption {
  @Option(
      names = "--json",
      description = "Print one machine-readable JSON object instead of the report (no progress, no task chatter).")
  boolean json;
}
