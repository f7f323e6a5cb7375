package io.baton.torture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class JsonTest {
  @Test
  void line_isOneLine_withEscapes() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("t", 12L);
    m.put("s", "a\"b\\c\nd\u0001");
    m.put("list", List.of("x", "y"));
    m.put("nested", List.of(Map.of("k", 1)));
    m.put("none", null);
    m.put("nan", Double.NaN);
    assertThat(Json.line(m))
        .isEqualTo(
            "{\"t\":12, \"s\":\"a\\\"b\\\\c\\nd\\u0001\", \"list\":[\"x\", \"y\"],"
                + " \"nested\":[{\"k\":1}], \"none\":null, \"nan\":null}");
  }

  @Test
  void write_indentsNestedValues() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", Arrays.asList(1, 2));
    m.put("b", Map.of("c", true));
    assertThat(Json.write(m))
        .isEqualTo("{\n  \"a\": [1, 2],\n  \"b\": {\n    \"c\": true\n  }\n}\n");
  }
}
