package dev.unipool.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The building blocks: title extraction, JSON output, task serializability. */
class PiecesTest {

  @Test
  void title_isTheFirstH1sText() {
    assertEquals("Hello world", TitleExtractor.title(
        "<html><body><h2>Not me</h2><h1>  Hello <em>world</em> </h1><h1>Second</h1></body></html>"));
  }

  @Test
  void title_fallsBackToTheLinkInAnEmptyH1() {
    assertEquals("Shop", TitleExtractor.title("<h1><a href=/ title=Shop><img src=x.png></a></h1>"));
    assertEquals(TitleExtractor.NONE, TitleExtractor.title("<h1><a href=/><img src=x.png></a></h1>"));
  }

  @Test
  void title_isNoneWithoutAnH1() {
    assertEquals(TitleExtractor.NONE, TitleExtractor.title("<html><head><title>T</title></head><p>x</p></html>"));
    assertEquals(TitleExtractor.NONE, TitleExtractor.title(""));
  }

  @Test
  void everyLocalPage_hasItsAdvertisedTitle() {
    for (LocalWebServer.Page page : LocalWebServer.pages()) {
      assertEquals(page.title(), TitleExtractor.title(page.html()), page.path());
    }
  }

  @Test
  void json_escapesAndNests() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("s", "a\"b\\c\nd\u0001é");
    doc.put("n", 1.5);
    doc.put("list", Arrays.asList(1, true, null, Double.NaN));
    String text = Json.write(doc);
    assertEquals("{\"s\":\"a\\\"b\\\\c\\nd\\u0001é\",\"n\":1.5,\"list\":[1,true,null,null]}", text);
    Map<String, Object> back = MiniJson.object(MiniJson.parse(text));
    assertEquals("a\"b\\c\nd\u0001é", back.get("s"));
  }

  static List<Callable<?>> tasks() {
    return List.of(
        new TitlesDemo.GetTitle("http://127.0.0.1:1/x", true),
        new ComputeDemo.Segment(0, 10),
        new MixedDemo.ComputeSome(10, false),
        new MixedDemo.DownloadSome("http://127.0.0.1:1/x", false),
        new MixedDemo.DownloadSomeMore("http://127.0.0.1:1/x", false),
        new MixedDemo.WaitSome(1, false));
  }

  @ParameterizedTest
  @MethodSource("tasks")
  void demoTasks_surviveJavaSerialization(Callable<?> task) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(task);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(task, in.readObject());
    }
  }
}
