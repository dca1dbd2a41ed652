package dev.unipool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first Java example, taken from README.md itself, compiles and runs: the front door must
 * not lie. It runs in a child JVM so that worker processes inherit a class path that contains it.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReadmeExampleTest {
  @TempDir Path tmp;

  @Test
  void readmeExample_compilesAndRuns() throws Exception {
    Path readme = Path.of("..", "README.md");
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(text);
    assertTrue(m.find(), "README.md has a ```java example");
    String source = m.group(1);
    Matcher cls = Pattern.compile("public class (\\w+)").matcher(source);
    assertTrue(cls.find(), "the example is a complete class");
    Path file = tmp.resolve(cls.group(1) + ".java");
    Files.writeString(file, source, StandardCharsets.UTF_8);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "tests run on a JDK");
    String cp = System.getProperty("java.class.path");
    int rc = javac.run(null, null, null, "-d", tmp.toString(), "-cp", cp, file.toString());
    assertEquals(0, rc, "the README example compiles");

    Process p = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", tmp + File.pathSeparator + cp, cls.group(1))
        .redirectErrorStream(true)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    List<String> lines = out.lines().filter(l -> !l.startsWith("[worker-")).toList();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("hello from worker-")), out);
    assertTrue(lines.contains("[1, 4, 9]"), out);
  }
}
