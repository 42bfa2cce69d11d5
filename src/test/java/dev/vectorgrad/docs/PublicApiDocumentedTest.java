package dev.vectorgrad.docs;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every public or protected element of an exported package has a Javadoc comment. The Javadoc
 * build (pom.xml) runs doclint without its "missing" group, because that group also demands an
 * {@code @param} and {@code @return} tag on every method, which the house style (one sentence
 * naming the PyTorch equivalent) does not; this test runs the javadoc tool with that group and
 * fails on what we do require: no element without a comment.
 */
class PublicApiDocumentedTest {
  static final Path MAIN = Path.of("src/main/java");

  /** The exported packages, from module-info.java. */
  static List<String> exportedPackages() throws IOException {
    Matcher m = Pattern.compile("(?m)^\\s*exports\\s+([\\w.]+)\\s*;").matcher(Files.readString(MAIN.resolve("module-info.java")));
    List<String> out = new ArrayList<>();
    while (m.find()) out.add(m.group(1));
    return out;
  }

  /**
   * Whether a warning points at a private field: javadoc also lists the private fields of a
   * Serializable class (an exception's, say) in its serialized form, but they are not API.
   */
  static boolean isPrivateField(String warning) {
    Matcher m = Pattern.compile("^(.*\\.java):(\\d+): warning: no comment").matcher(warning);
    if (!m.find()) return false;
    try {
      String line = Files.readAllLines(Path.of(m.group(1))).get(Integer.parseInt(m.group(2)) - 1);
      return line.trim().startsWith("private ") && !line.contains("(");
    } catch (IOException | IndexOutOfBoundsException e) {
      return false;
    }
  }

  @Test
  void everyPublicApiElementHasAComment(@org.junit.jupiter.api.io.TempDir Path out) throws IOException {
    // Documentation does not depend on the kernels: check once, not again in the scalar-kernel run.
    assumeFalse("scalar".equals(System.getProperty("vectorgrad.kernels")), "checked in the Vector API run");
    List<String> args = new ArrayList<>(List.of("-Xdoclint:missing", "-Xmaxwarns", "100000", "-quiet", "-d", out.toString(),
        "--add-modules", "jdk.incubator.vector", "-classpath", System.getProperty("java.class.path")));
    for (String pkg : exportedPackages()) {
      try (Stream<Path> s = Files.list(MAIN.resolve(pkg.replace('.', '/')))) {
        s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).sorted().forEach(args::add);
      }
    }
    StringWriter log = new StringWriter();
    PrintWriter w = new PrintWriter(log);
    int rc = ToolProvider.findFirst("javadoc").orElseThrow().run(w, w, args.toArray(String[]::new));
    w.flush();
    List<String> undocumented = log.toString().lines()
        .filter(l -> l.contains("warning: no comment") || l.contains("warning: no main description")
            || l.contains("use of default constructor, which does not provide a comment"))
        .filter(l -> !isPrivateField(l))
        .toList();
    assertEquals(List.of(), undocumented, "public API without a Javadoc comment");
    assertEquals(0, rc, log.toString());
  }
}
