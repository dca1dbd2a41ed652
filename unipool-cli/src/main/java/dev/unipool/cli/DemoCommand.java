package dev.unipool.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code unipool demo}: groups the course's programs. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "The course's programs, rebuilt on unipool. They run offline against a local web site.",
    commandListHeading = "%nDemos:%n",
    footerHeading = "%nExamples:%n",
    footer = {
      "  unipool demo titles",
      "  unipool demo compute --size 3000000",
      "  unipool demo mixed",
      "  unipool demo titles --help"
    })
final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UsageException("which demo? titles, compute or mixed", true);
  }
}
